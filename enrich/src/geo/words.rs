//! Word lists the gazetteer and the geocoder share: generic administrative words ("district",
//! "Governorate"), common English words that are also place names, person titles, place cues and
//! well-known country aliases. All entries are folded (lower case, no diacritics).

/// Generic words that name an administrative level ("Homs Governorate", "Gumla district").
pub const ADMIN_GENERICS: &[&str] = &[
    "district",
    "districts",
    "province",
    "provinces",
    "state",
    "region",
    "governorate",
    "county",
    "parish",
    "prefecture",
    "department",
    "departement",
    "municipality",
    "commune",
    "division",
    "zone",
    "wilaya",
    "wilayah",
    "oblast",
    "raion",
    "territory",
    "sub-county",
    "subcounty",
    "sub-district",
    "subdistrict",
    "sector",
    "localite",
    "locality",
    "lga",
    "emirate",
    "muhafazat",
    "governorat",
    "provincia",
    "estado",
];

/// Generic words that name a settlement ("Kabul city", "town of Mopti").
pub const PLACE_GENERICS: &[&str] = &["city", "town", "village", "villages", "camp", "settlement"];

/// Words that, when they precede a name, say it is a place ("in", "village of").
pub const PLACE_CUES: &[&str] = &[
    "in", "near", "at", "from", "outside", "around", "into", "towards", "toward", "across", "to",
    "of", "between", "and", "via", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "central", "en", "dans", "pres", "a", "au", "de", "du",
];

/// Words after which a capitalised word is a person's name, not a place ("Sheriff Henry").
pub const PERSON_TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "sir", "president", "gen", "general", "sheriff", "judge",
    "gov", "governor", "sen", "senator", "rep", "officer", "chief", "capt", "captain", "lt",
    "sgt", "sergeant", "col", "colonel", "minister", "pastor", "rev", "reverend", "father",
    "mayor", "commissioner", "deputy", "detective", "prof", "professor", "coach", "lord", "lady",
    "king", "queen", "prince", "princess", "pope", "imam", "sheikh", "bishop", "attorney",
    "councilman", "councilwoman", "trooper", "agent", "brother", "sister", "uncle", "aunt",
    "st", "saint", "jr", "dear",
];

/// Capitalised words that, after a name, make it part of another proper noun ("Dublin Road",
/// "Washington Post", "Kabul University").
pub const NAME_TAILS: &[&str] = &[
    "road", "rd", "street", "st", "avenue", "ave", "boulevard", "blvd", "drive", "dr", "lane",
    "ln", "highway", "hwy", "way", "court", "ct", "place", "pl", "parkway", "pike", "circle",
    "terrace", "trail", "university", "college", "school", "academy", "institute", "hospital",
    "airport", "church", "park", "bridge", "hotel", "center", "centre", "company", "co", "corp",
    "inc", "bank", "times", "post", "news", "herald", "tribune", "journal", "gazette", "daily",
    "press", "mall", "stadium", "club", "fc", "united", "rovers", "city", "house", "hall",
    "building", "tower", "square", "market", "station", "office", "department", "police",
    "fire", "sheriff", "board", "council", "committee", "association", "society", "foundation",
    "group", "party", "army", "forces", "front", "movement", "brigade", "militia", "corps",
    "airlines", "airways", "air", "railway", "railroad", "water", "energy", "power", "state",
    "times-dispatch", "journal-constitution", "democrat", "republican", "observer", "star",
    "sun", "mirror", "guardian", "chronicle", "examiner", "record", "register", "review",
    "courier", "independent", "telegraph", "standard", "express", "monitor", "global",
    "international", "county", "bay", "beach", "river", "lake", "mountain", "mountains",
    "valley", "island", "islands", "falls", "springs", "heights", "hills", "creek", "harbor",
    "harbour", "port",
];

/// Common words (of English and the other report languages) that are also place names somewhere.
/// A match on one of these needs a place cue before it ("in Police") to count.
pub const COMMON_WORDS: &[&str] = &[
    "a", "about", "after", "again", "against", "all", "along", "also", "among", "an", "and",
    "another", "any", "are", "around", "as", "at", "attack", "attacks", "august", "back", "bad",
    "bar", "base", "bay", "be", "beach", "bear", "because", "been", "before", "being", "best",
    "between", "big", "black", "blue", "border", "born", "both", "bridge", "brown", "but", "by",
    "camp", "can", "capital", "carbon", "case", "center", "central", "centre", "chance", "chase",
    "church", "city", "clay", "cliff", "close", "coal", "colonel", "come", "commerce", "concord",
    "content", "could", "court", "cross", "crown", "date", "day", "de", "deal", "early",
    "east", "eden", "eight", "end", "energy", "enterprise", "even", "every", "fair", "faith",
    "fall", "falls", "far", "few", "field", "five", "for", "force", "forest", "fort", "four",
    "free", "freedom", "friday", "friend", "friendship", "from", "garden", "gas", "gate",
    "general", "glory", "gold", "good", "grand", "green", "grove", "had", "hall", "harbor",
    "has", "have", "he", "health", "her", "here", "high", "hill", "his", "home", "hope",
    "house", "how", "however", "i", "if", "in", "independence", "industry", "into", "is", "it",
    "its", "jail", "just", "justice", "key", "kill", "killed", "king", "lake", "land", "last",
    "later", "law", "lead", "liberty", "like", "lime", "long", "lost", "love", "low", "main",
    "man", "many", "march", "market", "may", "me", "media", "middle", "mill", "mine", "mission",
    "monday", "more", "most", "mount", "much", "must", "my", "national", "navy", "new", "news",
    "next", "nice", "nine", "no", "none", "north", "not", "now", "of", "office", "oil", "old",
    "on", "once", "one", "only", "or", "orange", "order", "other", "our", "out", "over", "page",
    "palm", "paradise", "park", "peace", "people", "pine", "plain", "plains", "pleasant",
    "police", "post", "power", "president", "price", "prison", "progress", "prospect",
    "providence", "quarry", "rain", "range", "read", "red", "reform", "republic", "rescue",
    "return", "rich", "ridge", "river", "rock", "rose", "round", "royal", "rush", "safe", "said",
    "saturday", "says", "school", "second", "security", "see", "self", "sera", "seven", "she",
    "shell", "she's", "since", "six", "so", "some", "south", "spring", "springs", "square",
    "star", "state", "still", "stone", "story", "strong", "such", "sun", "sunday", "sunshine",
    "sur", "take", "temple", "ten", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "three", "through", "thursday", "time", "to", "today", "town",
    "trade", "tuesday", "two", "under", "union", "unity", "university", "until", "up", "upon",
    "us", "valley", "victory", "view", "village", "volunteer", "wall", "war", "was", "water",
    "way", "we", "wednesday", "well", "were", "west", "what", "when", "where", "which", "while",
    "white", "who", "why", "will", "win", "with", "wood", "would", "year", "yes", "yet", "you",
    "young", "your", "zone", "january", "february", "april", "june", "july", "september",
    "october", "november", "december", "sept", "oct", "nov", "dec", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "god", "allah", "jesus", "christ", "islam", "muslim", "muslims",
    "christian", "christians", "sharia", "taliban", "shabaab", "haram", "boko", "fulani",
    "hausa", "arab", "arabs", "kurds", "kurdish", "tuareg", "military", "soldiers", "troops",
    "rebels", "militants", "gunmen", "unknown", "armed", "government", "ministry", "council",
    "congress", "senate", "parliament", "assembly", "governor", "mayor", "chief", "leader",
    "officials", "official", "sources", "source", "report", "reports", "reported", "according",
    "local", "regional", "district", "province", "county", "region", "area", "areas", "sector",
    "division", "department", "mobile", "early", "clash", "clashes", "violence", "protest",
    "protesters", "demonstration", "riot", "riots", "fatalities", "victims", "civilians",
    "christmas", "easter", "ramadan", "eid", "internet", "twitter", "facebook", "google",
    "apple", "amazon", "microsoft", "olympic", "olympics", "world", "cup", "league", "champions",
    "premier", "super", "bowl", "series", "final", "finals", "open", "golden", "silver",
    "diamond", "obama", "trump", "bush", "clinton", "lincoln", "jackson",
    "ali", "mohamed", "mohammed", "ahmed", "hassan", "hussein", "omar",
    "ibrahim", "ismail", "musa", "moussa", "abdullah", "yusuf", "issa", "aden", "ahmad",
];

/// Well-known country names and abbreviations that GeoNames' country table lacks. Entries marked
/// `true` only count when written in capitals in the text ("US", not "us").
pub const COUNTRY_ALIASES: &[(&str, &str, bool)] = &[
    ("US", "U.S.", false),
    ("US", "U.S", false),
    ("US", "US", true),
    ("US", "USA", true),
    ("US", "U.S.A.", false),
    ("US", "America", false),
    ("US", "United States of America", false),
    ("GB", "UK", true),
    ("GB", "U.K.", false),
    ("GB", "Britain", false),
    ("GB", "Great Britain", false),
    ("CD", "DRC", true),
    ("CD", "DR Congo", false),
    ("CD", "D.R. Congo", false),
    ("CD", "Democratic Republic of Congo", false),
    ("CD", "Congo-Kinshasa", false),
    ("CD", "Zaire", false),
    ("CD", "RDC", true),
    ("CG", "Congo-Brazzaville", false),
    ("CG", "Republic of Congo", false),
    ("CD", "Congo", false),
    ("CI", "Cote d'Ivoire", false),
    ("CF", "CAR", true),
    ("CF", "Centrafrique", false),
    ("MM", "Burma", false),
    ("PS", "Palestine", false),
    ("PS", "Palestinian Territories", false),
    ("PS", "West Bank", false),
    ("PS", "Gaza Strip", false),
    ("TR", "Turkiye", false),
    ("CZ", "Czechia", false),
    ("MK", "North Macedonia", false),
    ("SZ", "Eswatini", false),
    ("CV", "Cabo Verde", false),
    ("TL", "Timor-Leste", false),
    ("AE", "UAE", true),
    ("AE", "Emirates", false),
    ("NL", "Holland", false),
    ("KR", "Korea", false),
    ("VA", "Vatican City", false),
    ("GM", "The Gambia", false),
    ("BS", "The Bahamas", false),
    ("SY", "Syrian Arab Republic", false),
    ("RU", "Russian Federation", false),
    ("IR", "Persia", false),
    ("LY", "Libye", false),
    ("SO", "Somalie", false),
    ("TD", "Tchad", false),
    ("CM", "Cameroun", false),
    ("BF", "Burkina", false),
    ("SD", "Soudan", false),
    ("SS", "Soudan du Sud", false),
];

/// Directional prefixes that do not make a name part of a person's name ("Northern Syria").
pub const DIRECTIONS: &[&str] = &[
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "upper", "lower", "greater", "northeast", "northwest", "southeast", "southwest",
    "north-east", "north-west", "south-east", "south-west", "northeastern", "northwestern",
    "southeastern", "southwestern", "north-eastern", "north-western", "south-eastern",
    "south-western", "rural", "downtown", "metro", "suburban",
];

/// Whether `w` (folded) is in `list`.
pub fn is_in(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

/// Strips generic administrative words and "of" from a folded name ("homs governorate" → "homs",
/// "province of kandahar" → "kandahar"). Returns `None` when nothing was stripped or nothing is left.
pub fn strip_generics(folded: &str) -> Option<String> {
    let words: Vec<&str> = folded.split([' ', '-']).filter(|w| !w.is_empty()).collect();
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !is_in(ADMIN_GENERICS, w) && *w != "of" && *w != "de" && *w != "du")
        .collect();
    if kept.len() == words.len() || kept.is_empty() {
        return None;
    }
    let first = words.iter().position(|w| kept.contains(w)).unwrap_or(0);
    // Keep the original separators when the kept words are contiguous.
    let joined = kept.join(" ");
    if first == 0 && folded.starts_with(kept[0]) && folded.len() > joined.len() {
        let prefix = &folded[..folded.len().min(joined.len())];
        if prefix.replace('-', " ") == joined {
            return Some(prefix.to_owned());
        }
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_generic_words() {
        assert_eq!(strip_generics("homs governorate").as_deref(), Some("homs"));
        assert_eq!(strip_generics("province of kandahar").as_deref(), Some("kandahar"));
        assert_eq!(
            strip_generics("ouham-pende province").as_deref(),
            Some("ouham-pende")
        );
        assert_eq!(strip_generics("vakaga"), None);
        assert_eq!(strip_generics("district"), None);
    }

    #[test]
    fn lists_are_folded() {
        for list in [ADMIN_GENERICS, PLACE_GENERICS, PLACE_CUES, PERSON_TITLES, NAME_TAILS, COMMON_WORDS, DIRECTIONS] {
            for w in list {
                assert_eq!(crate::fold::fold(w), *w, "{w}");
            }
        }
    }
}
