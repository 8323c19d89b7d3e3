//! Lexicon files (`config/lexicons/<lang>.toml`): phrases and patterns mapped to indicator kinds, and
//! kinds to risk factors. PLACEHOLDER API — implemented by the indicator-extraction work.

use std::path::Path;

use crate::EnrichError;

/// All loaded lexicons, one per language.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {}

impl Lexicons {
    /// The lexicons compiled into the binary (`config/lexicons/*.toml`).
    pub fn builtin() -> Result<Lexicons, EnrichError> {
        Ok(Lexicons {})
    }

    /// Loads every `<lang>.toml` of a folder, validating each with file:line errors.
    pub fn load_dir(_dir: &Path) -> Result<Lexicons, EnrichError> {
        Ok(Lexicons {})
    }
}
