//! The reasoning envelope: a Chat provider's reasoning, carried through a stateless client.
//!
//! Some Chat Completions providers (DeepSeek in thinking mode, Kimi, GLM) want the reasoning of
//! an assistant turn sent back on the next request, as `reasoning_content` (or `reasoning`) on
//! that assistant message. A Responses client such as Codex CLI keeps no such field, but it does
//! send back every reasoning item it received, with its `encrypted_content`, when it asked for
//! `include: ["reasoning.encrypted_content"]`. The gateway therefore seals what the upstream sent
//! into the reasoning item's `encrypted_content`, and opens it again when the item comes back.
//! No state is kept on the server: any gateway instance that holds the same key can open it.
//!
//! # Format
//!
//! ```text
//! owr1.<payload>.<mac>
//! ```
//!
//! - `owr1` names the format and its version (`owr` = openai-wire reasoning). A later format
//!   would be `owr2`; [`is_ours`] recognises every version, [`open`] only the ones it can read.
//! - `<payload>` is base64url (no padding) of a small JSON object: `{"f": field, "t": text}`,
//!   plus `"d": reasoning_details` when the upstream sent OpenRouter-style details.
//! - `<mac>` is base64url (no padding) of HMAC-SHA256 over `owr1.<payload>` with the
//!   [`EnvelopeKey`].
//!
//! The envelope is **not encrypted**: it protects integrity, not secrecy. The reasoning it
//! carries was already streamed to the same client in clear text (or deliberately withheld, in
//! which case the gateway should not seal it). With [`EnvelopeKey::new`] and a secret shared by
//! the gateway instances, a client cannot forge reasoning that the upstream will take as its own;
//! with [`EnvelopeKey::default`], a public key, the MAC still detects truncation and corruption.
//!
//! Real OpenAI `encrypted_content` (Fernet tokens, `gAAAAA…`, base64 without dots) is never
//! mistaken for an envelope: check [`is_ours`] first and leave foreign content alone.
//!
//! ```
//! use openai_wire_convert::envelope::{open, seal, EnvelopeKey, ReasoningCarry, ReasoningField};
//!
//! let key = EnvelopeKey::new(b"a secret shared by the gateway instances");
//! let carry = ReasoningCarry {
//!     field: ReasoningField::ReasoningContent,
//!     text: "The user wants a listing; call ls.".into(),
//!     details: None,
//! };
//! let sealed = seal(&carry, &key);
//! assert!(sealed.starts_with("owr1."));
//! assert_eq!(open(&sealed, &key)?, carry);
//! # Ok::<(), openai_wire_convert::envelope::EnvelopeError>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of the current envelope format, version included.
pub const PREFIX: &str = "owr1.";

/// The key of [`EnvelopeKey::default`]. It is public: it detects accidental damage, not forgery.
const PUBLIC_KEY: &[u8] = b"openai-wire reasoning envelope, public integrity key, v1";

/// Which Chat field the reasoning came in, and so which field it goes back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReasoningField {
    /// `reasoning_content` (DeepSeek, Kimi, GLM, Qwen, vLLM).
    #[serde(rename = "reasoning_content")]
    ReasoningContent,
    /// `reasoning` (OpenRouter, Ollama, some vLLM versions).
    #[serde(rename = "reasoning")]
    Reasoning,
}

impl ReasoningField {
    /// The Chat Completions field name: `"reasoning_content"` or `"reasoning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasoningField::ReasoningContent => "reasoning_content",
            ReasoningField::Reasoning => "reasoning",
        }
    }
}

/// The reasoning of one assistant turn, as the Chat upstream sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasoningCarry {
    /// The field the upstream used.
    pub field: ReasoningField,
    /// The whole reasoning text of the turn (all deltas joined).
    pub text: String,
    /// OpenRouter's `reasoning_details` array, kept verbatim when the upstream sent it.
    pub details: Option<serde_json::Value>,
}

/// The key that signs and checks envelopes.
///
/// The [`Default`] key is fixed and public; use [`EnvelopeKey::new`] with a configured secret
/// when the upstream must not receive reasoning a client made up. Every gateway instance that
/// should open an envelope needs the same key. `Debug` never shows the key.
#[derive(Clone)]
pub struct EnvelopeKey {
    mac: HmacSha256,
}

impl EnvelopeKey {
    /// A key from a shared secret (any length; 32 random bytes or more is right).
    pub fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback (an
        // all-zero key) only exists so that no panic path is left in the code.
        let mac = <HmacSha256 as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
        Self { mac }
    }

    pub(crate) fn tag(&self, signed: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(signed);
        mac.finalize().into_bytes().to_vec()
    }

    pub(crate) fn verify(&self, signed: &[u8], tag: &[u8]) -> bool {
        let mut mac = self.mac.clone();
        mac.update(signed);
        mac.verify_slice(tag).is_ok()
    }
}

impl Default for EnvelopeKey {
    /// The fixed public key: detects corruption and truncation, not forgery.
    fn default() -> Self {
        Self::new(PUBLIC_KEY)
    }
}

impl std::fmt::Debug for EnvelopeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvelopeKey { .. }")
    }
}

/// Why an envelope could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The content is not an openai-wire envelope at all (for example real OpenAI encrypted
    /// content). See [`is_ours`].
    #[error("encrypted_content is not an openai-wire reasoning envelope")]
    NotOurs,
    /// An openai-wire envelope of a version this build cannot read.
    #[error("unsupported reasoning envelope version `{0}` (this build reads owr1)")]
    UnsupportedVersion(String),
    /// The envelope does not have the `owr1.<payload>.<mac>` shape.
    #[error("malformed reasoning envelope: expected owr1.<payload>.<mac>")]
    Malformed,
    /// The payload or the MAC is not valid base64url.
    #[error("reasoning envelope is not valid base64url: {0}")]
    BadBase64(String),
    /// The MAC does not match: the envelope was altered, truncated, or sealed with another key.
    #[error("reasoning envelope failed its integrity check (altered, truncated, or another key)")]
    BadMac,
    /// The MAC matched but the payload is not what this version writes.
    #[error("reasoning envelope payload is invalid: {0}")]
    BadPayload(String),
}

#[derive(Serialize, Deserialize)]
struct Payload {
    f: ReasoningField,
    t: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<serde_json::Value>,
}

/// Seals `carry` into an opaque, versioned string for a reasoning item's `encrypted_content`.
pub fn seal(carry: &ReasoningCarry, key: &EnvelopeKey) -> String {
    let payload = Payload {
        f: carry.field,
        t: carry.text.clone(),
        d: carry.details.as_ref().map(canonical),
    };
    // Serializing a struct of a string, an enum and a `Value` cannot fail.
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    seal_signed(PREFIX, &json, key)
}

/// `value` with the keys of every object in sorted order, so that the sealed bytes do not depend
/// on whether serde_json's `preserve_order` feature is on in the build (features are unified
/// across a workspace, so another crate can turn it on).
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), canonical(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Opens an envelope made by [`seal`], checking its version and integrity.
pub fn open(sealed: &str, key: &EnvelopeKey) -> Result<ReasoningCarry, EnvelopeError> {
    let Some(version) = version_of(sealed) else {
        return Err(EnvelopeError::NotOurs);
    };
    if version != "owr1" {
        return Err(EnvelopeError::UnsupportedVersion(version.to_owned()));
    }
    let json = open_signed(sealed, PREFIX, key).map_err(|error| match error {
        SignedError::Malformed => EnvelopeError::Malformed,
        SignedError::MacEncoding(e) => EnvelopeError::BadBase64(format!("mac: {e}")),
        SignedError::Mac => EnvelopeError::BadMac,
        SignedError::PayloadEncoding(e) => EnvelopeError::BadBase64(format!("payload: {e}")),
    })?;
    let payload: Payload =
        serde_json::from_slice(&json).map_err(|e| EnvelopeError::BadPayload(e.to_string()))?;
    Ok(ReasoningCarry {
        field: payload.f,
        text: payload.t,
        details: payload.d,
    })
}

/// Whether `encrypted_content` is an openai-wire envelope (of any version), as opposed to
/// content from OpenAI or another server, which the gateway cannot open and should drop or pass
/// through unchanged.
pub fn is_ours(encrypted_content: &str) -> bool {
    version_of(encrypted_content).is_some()
}

/// `Some("owrN")` when the string starts with `owr`, one or more ASCII digits, and a dot.
fn version_of(s: &str) -> Option<&str> {
    version_in("owr", s)
}

/// Why a `<prefix><payload>.<mac>` string could not be opened ([`open_signed`]).
#[derive(Debug)]
pub(crate) enum SignedError {
    /// Not `<prefix><payload>.<mac>`.
    Malformed,
    /// The MAC part is not base64url.
    MacEncoding(String),
    /// The MAC does not match (altered, forged, or another key).
    Mac,
    /// The payload part is not base64url.
    PayloadEncoding(String),
}

/// `<prefix><base64url payload>.<base64url MAC>`, the MAC over everything before the dot: the
/// format of reasoning envelopes (`owr1.`) and compactions (`owc1.`).
pub(crate) fn seal_signed(prefix: &str, payload: &[u8], key: &EnvelopeKey) -> String {
    let mut out = String::with_capacity(prefix.len() + payload.len() * 4 / 3 + 50);
    out.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(payload, &mut out);
    let tag = key.tag(out.as_bytes());
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(tag, &mut out);
    out
}

/// The payload of a string made by [`seal_signed`] with `prefix`, once its MAC checks out.
pub(crate) fn open_signed(
    sealed: &str,
    prefix: &str,
    key: &EnvelopeKey,
) -> Result<Vec<u8>, SignedError> {
    let rest = sealed.strip_prefix(prefix).ok_or(SignedError::Malformed)?;
    let (payload_b64, mac_b64) = rest.split_once('.').ok_or(SignedError::Malformed)?;
    if payload_b64.is_empty() || mac_b64.is_empty() || mac_b64.contains('.') {
        return Err(SignedError::Malformed);
    }
    let tag = URL_SAFE_NO_PAD
        .decode(mac_b64)
        .map_err(|e| SignedError::MacEncoding(e.to_string()))?;
    let signed = &sealed[..prefix.len() + payload_b64.len()];
    if !key.verify(signed.as_bytes(), &tag) {
        return Err(SignedError::Mac);
    }
    URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|e| SignedError::PayloadEncoding(e.to_string()))
}

/// `Some("<family>N")` when `s` starts with `family`, one or more ASCII digits, and a dot.
pub(crate) fn version_in<'a>(family: &str, s: &'a str) -> Option<&'a str> {
    let rest = s.strip_prefix(family)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || rest.as_bytes().get(digits) != Some(&b'.') {
        return None;
    }
    Some(&s[..family.len() + digits])
}
