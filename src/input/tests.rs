//! Unit tests of the PDU finder.

use super::*;

fn pdus(text: &str) -> Vec<Found> {
    find_all(text)
        .into_iter()
        .filter_map(|i| match i {
            Item::Pdu(f) => Some(f),
            Item::Problem(_) | Item::Note(_) => None,
        })
        .collect()
}

#[test]
fn plain_hex() {
    let f = pdus("00000010800000150000000000000007");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].source.shape, Shape::Hex);
}
