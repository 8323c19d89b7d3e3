//! Names that imply a country without being places: armed groups, forces and missions that
//! operate in one country ("Taliban", "Boko Haram", "al-Shabaab", "FARDC", "AMISOM"), and outlets
//! whose beat is one country ("Radio Dabanga", "Radio Okapi", "Shabelle Media Network").
//!
//! A report that names them but no place of its own ("Boko Haram raided Gouzoudou village")
//! still gets a country-level focus, and they count as weak country context when disambiguating
//! the places a report does name. They are evidence, not toponyms: they never appear among the
//! locations. Groups active in several countries are listed under the one where most of their
//! reported violence happens; a place or demonym the text names outweighs them.
//!
//! Names are matched as whole words, ignoring ASCII case, except that entries written in capitals
//! (acronyms such as "SAF", "LNA") must appear in capitals, and entries that start with a capital
//! must start with one in the text ("New Vision" is an outlet, "a new vision" is not).

/// What a name is; outlets weigh more than actors (an outlet's beat is its country, while armed
/// groups cross borders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    Actor,
    Outlet,
}

/// (name, ISO 3166-1 alpha-2, kind).
pub const COUNTRY_HINTS: &[(&str, &str, HintKind)] = &[
    // Afghanistan
    ("Taliban", "AF", HintKind::Actor),
    ("Voice of Jihad", "AF", HintKind::Outlet),
    ("Pajhwok", "AF", HintKind::Outlet),
    ("Tolo News", "AF", HintKind::Outlet),
    ("TOLOnews", "AF", HintKind::Outlet),
    ("Khaama Press", "AF", HintKind::Outlet),
    ("Bakhtar News Agency", "AF", HintKind::Outlet),
    ("Ariana News", "AF", HintKind::Outlet),
    ("ANDSF", "AF", HintKind::Actor),
    // Nigeria
    ("Boko Haram", "NG", HintKind::Actor),
    ("ISWAP", "NG", HintKind::Actor),
    ("Civilian JTF", "NG", HintKind::Actor),
    ("Premium Times", "NG", HintKind::Outlet),
    ("Daily Trust", "NG", HintKind::Outlet),
    ("Sahara Reporters", "NG", HintKind::Outlet),
    ("Channels Television", "NG", HintKind::Outlet),
    // Somalia
    ("al-Shabaab", "SO", HintKind::Actor),
    ("al Shabaab", "SO", HintKind::Actor),
    ("al-Shabab", "SO", HintKind::Actor),
    ("al Shabab", "SO", HintKind::Actor),
    ("Shabaab", "SO", HintKind::Actor),
    ("AMISOM", "SO", HintKind::Actor),
    ("ATMIS", "SO", HintKind::Actor),
    ("Puntland", "SO", HintKind::Actor),
    ("Shabelle Media", "SO", HintKind::Outlet),
    ("Radio Shabelle", "SO", HintKind::Outlet),
    ("Garowe Online", "SO", HintKind::Outlet),
    ("Hiiraan", "SO", HintKind::Outlet),
    ("Goobjoog", "SO", HintKind::Outlet),
    ("Radio Andalus", "SO", HintKind::Outlet),
    ("Radio Kulmiye", "SO", HintKind::Outlet),
    ("Universal TV", "SO", HintKind::Outlet),
    ("Somali Dhacdo", "SO", HintKind::Outlet),
    // Democratic Republic of the Congo
    ("FARDC", "CD", HintKind::Actor),
    ("MONUSCO", "CD", HintKind::Actor),
    ("FDLR", "CD", HintKind::Actor),
    ("FRPI", "CD", HintKind::Actor),
    ("CODECO", "CD", HintKind::Actor),
    ("NDC-R", "CD", HintKind::Actor),
    ("Mayi Mayi", "CD", HintKind::Actor),
    ("Mai Mai", "CD", HintKind::Actor),
    ("Mai-Mai", "CD", HintKind::Actor),
    ("Raia Mutomboki", "CD", HintKind::Actor),
    ("ADF", "CD", HintKind::Actor),
    ("Allied Democratic Forces", "CD", HintKind::Actor),
    ("M23", "CD", HintKind::Actor),
    ("Radio Okapi", "CD", HintKind::Outlet),
    ("Actualite.cd", "CD", HintKind::Outlet),
    // Central African Republic
    ("MINUSCA", "CF", HintKind::Actor),
    ("anti-Balaka", "CF", HintKind::Actor),
    ("Seleka", "CF", HintKind::Actor),
    ("Séléka", "CF", HintKind::Actor),
    ("Radio Ndeke Luka", "CF", HintKind::Outlet),
    ("Corbeau News", "CF", HintKind::Outlet),
    // Mali, Burkina Faso, Niger, Chad
    ("MINUSMA", "ML", HintKind::Actor),
    ("JNIM", "ML", HintKind::Actor),
    ("FAMa", "ML", HintKind::Actor),
    ("Studio Tamani", "ML", HintKind::Outlet),
    ("Malijet", "ML", HintKind::Outlet),
    ("Maliweb", "ML", HintKind::Outlet),
    ("Koglweogo", "BF", HintKind::Actor),
    ("Sidwaya", "BF", HintKind::Outlet),
    ("Observateur Paalga", "BF", HintKind::Outlet),
    ("Fasozine", "BF", HintKind::Outlet),
    ("Lefaso.net", "BF", HintKind::Outlet),
    ("Burkina24", "BF", HintKind::Outlet),
    ("ActuNiger", "NE", HintKind::Outlet),
    ("Tchadinfos", "TD", HintKind::Outlet),
    ("Alwihda", "TD", HintKind::Outlet),
    // Sudan, South Sudan
    ("Rapid Support Forces", "SD", HintKind::Actor),
    ("Janjaweed", "SD", HintKind::Actor),
    ("SAF", "SD", HintKind::Actor),
    ("RSF", "SD", HintKind::Actor),
    ("Radio Dabanga", "SD", HintKind::Outlet),
    ("SPLA", "SS", HintKind::Actor),
    ("SPLM", "SS", HintKind::Actor),
    ("SPLA-IO", "SS", HintKind::Actor),
    ("SPLM-IO", "SS", HintKind::Actor),
    ("UNMISS", "SS", HintKind::Actor),
    ("Radio Tamazuj", "SS", HintKind::Outlet),
    ("Eye Radio", "SS", HintKind::Outlet),
    // East Africa
    ("KDF", "KE", HintKind::Actor),
    ("Daily Nation", "KE", HintKind::Outlet),
    ("UPDF", "UG", HintKind::Actor),
    ("Daily Monitor", "UG", HintKind::Outlet),
    ("New Vision", "UG", HintKind::Outlet),
    ("ENDF", "ET", HintKind::Actor),
    ("TPLF", "ET", HintKind::Actor),
    ("Oromo Liberation", "ET", HintKind::Actor),
    ("OLA", "ET", HintKind::Actor),
    ("Addis Standard", "ET", HintKind::Outlet),
    ("Imbonerakure", "BI", HintKind::Actor),
    ("Iwacu", "BI", HintKind::Outlet),
    ("Mwananchi", "TZ", HintKind::Outlet),
    // Southern Africa, Indian Ocean
    ("Dahalo", "MG", HintKind::Actor),
    ("Midi Madagasikara", "MG", HintKind::Outlet),
    ("Madagasikara", "MG", HintKind::Outlet),
    ("Nyasa Times", "MW", HintKind::Outlet),
    ("ZANU-PF", "ZW", HintKind::Actor),
    ("NewsDay", "ZW", HintKind::Outlet),
    ("News24", "ZA", HintKind::Outlet),
    ("eNCA", "ZA", HintKind::Outlet),
    ("GroundUp", "ZA", HintKind::Outlet),
    ("Sowetan", "ZA", HintKind::Outlet),
    ("Daily Maverick", "ZA", HintKind::Outlet),
    ("Mail & Guardian", "ZA", HintKind::Outlet),
    ("Sunday Argus", "ZA", HintKind::Outlet),
    ("Cape Argus", "ZA", HintKind::Outlet),
    ("Ahlu Sunnah Wa-Jama", "MZ", HintKind::Actor),
    ("Cabo Ligado", "MZ", HintKind::Outlet),
    // West Africa
    ("Daily Graphic", "GH", HintKind::Outlet),
    ("GhanaWeb", "GH", HintKind::Outlet),
    ("Banouto", "BJ", HintKind::Outlet),
    ("La Nouvelle Tribune", "BJ", HintKind::Outlet),
    ("Camer.be", "CM", HintKind::Outlet),
    ("Ambazonia", "CM", HintKind::Actor),
    ("Ambazonian", "CM", HintKind::Actor),
    // North Africa, Middle East
    ("Mosaique FM", "TN", HintKind::Outlet),
    ("Shems FM", "TN", HintKind::Outlet),
    ("Tout sur l'Algerie", "DZ", HintKind::Outlet),
    ("El Watan", "DZ", HintKind::Outlet),
    ("Hespress", "MA", HintKind::Outlet),
    ("LNA", "LY", HintKind::Actor),
    ("Ahram Online", "EG", HintKind::Outlet),
    ("Mada Masr", "EG", HintKind::Outlet),
    ("Houthi", "YE", HintKind::Actor),
    ("Houthis", "YE", HintKind::Actor),
    ("Hezbollah", "LB", HintKind::Actor),
    ("Hamas", "PS", HintKind::Actor),
    ("Enab Baladi", "SY", HintKind::Outlet),
    ("Rudaw", "IQ", HintKind::Outlet),
    // Asia
    ("Tatmadaw", "MM", HintKind::Actor),
    ("Mizzima", "MM", HintKind::Outlet),
    ("Abu Sayyaf", "PH", HintKind::Actor),
    ("Tehrik-i-Taliban", "PK", HintKind::Actor),
];

/// Provinces where a group of [`COUNTRY_HINTS`] does most of its fighting, per country, as
/// (name as in that table, GeoNames admin1 code): a report in that country that names the group
/// but no place of its own is most likely there ("Boko Haram raided a village" in Nigeria:
/// Borno). Codes the gazetteer lacks are ignored.
pub const PROVINCE_HINTS: &[(&str, &str)] = &[
    ("Boko Haram", "NG.27"),
    ("Boko Haram", "CM.12"),
    ("Boko Haram", "NE.02"),
    ("Boko Haram", "TD.07"),
    ("ISWAP", "NG.27"),
    ("Civilian JTF", "NG.27"),
    ("FRPI", "CD.17"),
    ("CODECO", "CD.17"),
    ("M23", "CD.11"),
];

/// Whether a table entry must match in capitals (an acronym such as "SAF").
pub fn is_acronym(name: &str) -> bool {
    name.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && name.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
}
