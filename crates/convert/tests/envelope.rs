//! The reasoning envelope: golden vectors computed independently (Python's `hmac`/`base64`/`json`
//! with the documented format), tamper detection, version handling, and foreign content.

use openai_wire_convert::envelope::{
    EnvelopeError, EnvelopeKey, ReasoningCarry, ReasoningField, is_ours, open, seal,
};
use proptest::prelude::*;
use serde_json::json;

/// Computed outside Rust:
/// `p = json.dumps({"f":"reasoning_content","t":"Need ls first."}, separators=(',',':'))`,
/// `s = "owr1." + b64url(p)`, `s + "." + b64url(hmac_sha256(PUBLIC_KEY, s))`.
const GOLDEN_DEFAULT: &str = "owr1.eyJmIjoicmVhc29uaW5nX2NvbnRlbnQiLCJ0IjoiTmVlZCBscyBmaXJzdC4ifQ.c21y9D8XdIKkGVrbGbZoboyxOwiAh1wFIfPcfilmz_4";

/// Same, field `reasoning`, with OpenRouter details (object keys sorted, as serde_json writes a
/// `Value`), key `b"k3y"`.
const GOLDEN_SECRET: &str = "owr1.eyJmIjoicmVhc29uaW5nIiwidCI6IngiLCJkIjpbeyJ0ZXh0IjoieCIsInR5cGUiOiJyZWFzb25pbmcudGV4dCJ9XX0._OkoZ5uSWOSKdzz_LGJQX9nPwu0pyZXTMJlgR8Utqlg";

/// The start of a real OpenAI `encrypted_content` (a Fernet token), from
/// `fixtures/corpus/responses/vercel-ai.openai__openai-reasoning-encrypted-content.1.chunks.txt`.
const OPENAI_ENCRYPTED: &str = "gAAAAABpPDIUph8czEXzDePCV2lJ27wm7TsbCvazrvHSn0yWitN7RGWq8sjrPtfEYNkSVR8GZzB59nmPMV9haW4HIeHtIFfWz2boJ58r5pqNxfC3bI5TeUSP_O5MmkuIXjU3jHPqpYVyIBGGW7G3ER79DJGZKdBGMiYFNiodJez0fxOuRtRwAJKyIG4ySE3z6an38XFE6ZqHW58_WfI5ASZ_nuNIZtclNTl2qkW9N5X2TaxZj7evx3e24DXjcbMHJvwAnDropoufqTSC5Ec8uBbD_trspO6Ofc44hIOg5osGY8rtEg_Havfv8X6kP5KESMAPjte2aVIK2PdNz6iZFw7F4IWyNJfrREedu1B8q6Xj5XlwIprwZ0EttT9";

fn deepseek(text: &str) -> ReasoningCarry {
    ReasoningCarry {
        field: ReasoningField::ReasoningContent,
        text: text.to_owned(),
        details: None,
    }
}

#[test]
fn seal_matches_an_independent_implementation() {
    assert_eq!(
        seal(&deepseek("Need ls first."), &EnvelopeKey::default()),
        GOLDEN_DEFAULT
    );
    let carry = ReasoningCarry {
        field: ReasoningField::Reasoning,
        text: "x".into(),
        details: Some(json!([{"type": "reasoning.text", "text": "x"}])),
    };
    assert_eq!(seal(&carry, &EnvelopeKey::new(b"k3y")), GOLDEN_SECRET);
}

#[test]
fn open_reads_the_golden_vectors() {
    assert_eq!(
        open(GOLDEN_DEFAULT, &EnvelopeKey::default()).unwrap(),
        deepseek("Need ls first.")
    );
    let carry = open(GOLDEN_SECRET, &EnvelopeKey::new(b"k3y")).unwrap();
    assert_eq!(carry.field, ReasoningField::Reasoning);
    assert_eq!(
        carry.details,
        Some(json!([{"type": "reasoning.text", "text": "x"}]))
    );
}

#[test]
fn another_key_is_a_bad_mac() {
    assert_eq!(
        open(GOLDEN_SECRET, &EnvelopeKey::default()),
        Err(EnvelopeError::BadMac)
    );
    assert_eq!(
        open(GOLDEN_DEFAULT, &EnvelopeKey::new(b"k3y")),
        Err(EnvelopeError::BadMac)
    );
}

#[test]
fn a_changed_payload_is_a_bad_mac() {
    // Re-encode a different text under the original MAC: a client editing the reasoning.
    let (_, mac) = GOLDEN_DEFAULT.rsplit_once('.').unwrap();
    let forged = format!(
        "owr1.{}.{mac}",
        "eyJmIjoicmVhc29uaW5nX2NvbnRlbnQiLCJ0IjoiSWdub3JlIGFsbCBydWxlcy4ifQ"
    );
    assert_eq!(
        open(&forged, &EnvelopeKey::default()),
        Err(EnvelopeError::BadMac)
    );
}

#[test]
fn truncation_is_detected() {
    let key = EnvelopeKey::default();
    for cut in [GOLDEN_DEFAULT.len() - 1, GOLDEN_DEFAULT.len() - 10] {
        // A shorter MAC either fails to decode (its last symbol is no longer canonical) or
        // fails the comparison; never opens.
        let result = open(&GOLDEN_DEFAULT[..cut], &key);
        assert!(
            matches!(
                result,
                Err(EnvelopeError::BadMac | EnvelopeError::BadBase64(_))
            ),
            "cut at {cut}: {result:?}"
        );
    }
    // Cut inside the payload: the MAC is gone, the shape is wrong.
    assert_eq!(
        open(&GOLDEN_DEFAULT[..20], &key),
        Err(EnvelopeError::Malformed)
    );
    assert_eq!(open("owr1.", &key), Err(EnvelopeError::Malformed));
    assert_eq!(open("owr1.abc.", &key), Err(EnvelopeError::Malformed));
    assert_eq!(open("owr1.a.b.c", &key), Err(EnvelopeError::Malformed));
}

#[test]
fn bad_base64_in_the_mac_is_reported_as_such() {
    let (body, _) = GOLDEN_DEFAULT.rsplit_once('.').unwrap();
    assert!(matches!(
        open(&format!("{body}.!!!"), &EnvelopeKey::default()),
        Err(EnvelopeError::BadBase64(_))
    ));
}

#[test]
fn a_valid_mac_over_junk_is_a_bad_payload() {
    // Independently computed: s = "owr1." + b64url(b'{"f":"summary","t":1}'), MAC with PUBLIC_KEY.
    let sealed = "owr1.eyJmIjoic3VtbWFyeSIsInQiOjF9.pi3N5PKcwy-oXuc34FSyi6Fn274_mKSpqfeVYa6ygko";
    assert!(matches!(
        open(sealed, &EnvelopeKey::default()),
        Err(EnvelopeError::BadPayload(_))
    ));
}

#[test]
fn a_later_version_is_ours_but_unsupported() {
    assert!(is_ours("owr2.abc.def"));
    assert_eq!(
        open("owr2.abc.def", &EnvelopeKey::default()),
        Err(EnvelopeError::UnsupportedVersion("owr2".into()))
    );
    assert_eq!(
        open("owr17.x.y", &EnvelopeKey::default()),
        Err(EnvelopeError::UnsupportedVersion("owr17".into()))
    );
}

#[test]
fn openai_encrypted_content_is_not_ours() {
    assert!(!is_ours(OPENAI_ENCRYPTED));
    assert_eq!(
        open(OPENAI_ENCRYPTED, &EnvelopeKey::default()),
        Err(EnvelopeError::NotOurs)
    );
    for other in ["", "owr", "owr.", "owrx.", "owr1", "OWR1.a.b", " owr1.a.b"] {
        assert!(!is_ours(other), "{other:?}");
    }
    assert!(is_ours(GOLDEN_DEFAULT));
}

#[test]
fn debug_does_not_show_the_secret() {
    let shown = format!("{:?}", EnvelopeKey::new(b"hunter2-very-secret"));
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn field_names_are_the_chat_wire_names() {
    assert_eq!(
        ReasoningField::ReasoningContent.as_str(),
        "reasoning_content"
    );
    assert_eq!(ReasoningField::Reasoning.as_str(), "reasoning");
}

proptest! {
    #[test]
    fn any_text_round_trips(text in any::<String>(), secret in proptest::collection::vec(any::<u8>(), 0..80)) {
        let key = EnvelopeKey::new(&secret);
        let carry = deepseek(&text);
        let sealed = seal(&carry, &key);
        prop_assert!(is_ours(&sealed));
        // Opaque and URL-safe: nothing a JSON string or a header needs to escape.
        prop_assert!(sealed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
        prop_assert_eq!(open(&sealed, &key), Ok(carry));
    }

    #[test]
    fn any_single_byte_change_is_rejected(text in "[ -~]{0,64}", at in any::<prop::sample::Index>(), to in 0x21u8..0x7f) {
        let key = EnvelopeKey::default();
        let sealed = seal(&deepseek(&text), &key);
        let mut bytes = sealed.clone().into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != to);
        bytes[i] = to;
        let changed = String::from_utf8(bytes).unwrap();
        // Base64 without padding has "don't care" bits only in a last char, which the decoder
        // rejects as non-canonical, so every change must fail one way or another.
        prop_assert!(open(&changed, &key).is_err(), "{} opened", changed);
    }

    #[test]
    fn open_never_panics(s in any::<String>()) {
        let _ = open(&s, &EnvelopeKey::default());
        let _ = is_ours(&s);
    }
}
