//! Casualty counts: digits, number words, modifiers, ranges. PLACEHOLDER — implemented by the
//! indicator-extraction work.
