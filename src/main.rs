fn main() -> std::process::ExitCode {
    smppdiag::exit::Exit::Success.into()
}
