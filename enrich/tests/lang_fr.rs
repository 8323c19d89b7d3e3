//! French extraction: one test per kind, per count form, and per negation, hedge and threat
//! form, over the built-in lexicon (`config/lexicons/fr.toml`).

mod support;

use support::{assert_counts, assert_fatalities, assert_kinds, assert_victims, first, run};

const FR: &str = "fr";

#[test]
fn every_kind_has_a_trigger() {
    assert_kinds(
        FR,
        &[
            ("killing", "Deux bergers ont été tués près du puits."),
            ("massacre", "Un massacre a eu lieu dans le village."),
            ("mass_grave", "Un charnier a été découvert près du camp."),
            (
                "execution",
                "Les prisonniers ont été sommairement exécutés.",
            ),
            (
                "shelling",
                "Les bombardements des quartiers résidentiels ont repris.",
            ),
            (
                "arson",
                "Les assaillants ont réduit en cendres plusieurs cases.",
            ),
            (
                "displacement",
                "Des milliers d'habitants ont fui vers les villes voisines.",
            ),
            ("abduction", "Des hommes armés ont enlevé vingt écolières."),
            (
                "sexual_violence",
                "Des femmes ont été violées par des soldats.",
            ),
            ("torture", "Les détenus ont subi des actes de torture."),
            ("looting", "Les boutiques ont été pillées."),
            (
                "attack_protected_site",
                "Les assaillants ont attaqué une mosquée dans la ville.",
            ),
            (
                "hate_speech",
                "Le présentateur a tenu un discours de haine contre les Peuls.",
            ),
            ("hate_speech", "Il a dit que ces gens sont des serpents."),
            (
                "mobilisation",
                "Des chefs locaux ont procédé à la distribution d'armes.",
            ),
            (
                "siege",
                "La ville est soumise à un blocus depuis des semaines.",
            ),
            (
                "arbitrary_detention",
                "Des dizaines de personnes ont été arrêtées.",
            ),
            (
                "disappearance",
                "Des militants ont disparu après leur arrestation.",
            ),
            ("threat", "Ils ont reçu des menaces de mort."),
            ("injury", "Trois passagers ont été blessés."),
            ("casualties", "L'attaque a fait de nombreuses victimes."),
        ],
    );
}

#[test]
fn each_kind_keeps_its_risk_factor() {
    let e = run(
        FR,
        "Des milices ont été mobilisées et des civils ont été tués.",
    );
    assert_eq!(first(&e, "mobilisation").risk_factor, "RF7");
    assert_eq!(first(&e, "killing").risk_factor, "RF11");
    let e = run(FR, "Ils parlent de nettoyage ethnique et de menaces.");
    assert_eq!(first(&e, "hate_speech").risk_factor, "RF10");
    assert_eq!(first(&e, "threat").risk_factor, "RF9");
    let e = run(FR, "Un convoi humanitaire a été attaqué.");
    assert_eq!(first(&e, "attack_protected_site").risk_factor, "RF14");
}

#[test]
fn digits_with_french_separators() {
    assert_counts(
        FR,
        &[
            (
                "1 200 personnes ont été déplacées.",
                "displacement",
                Some(1200),
                None,
                None,
            ),
            (
                "15\u{a0}000 personnes ont été déplacées.",
                "displacement",
                Some(15000),
                None,
                None,
            ),
            (
                "1.200 personnes ont été déplacées.",
                "displacement",
                Some(1200),
                None,
                None,
            ),
            (
                "1,5 million de personnes ont fui.",
                "displacement",
                Some(1_500_000),
                None,
                None,
            ),
            (
                "2,3 millions de personnes ont fui.",
                "displacement",
                Some(2_300_000),
                None,
                None,
            ),
            ("12 civils ont été tués.", "killing", Some(12), None, None),
        ],
    );
}

#[test]
fn number_words() {
    assert_fatalities(
        FR,
        &[
            ("Quarante-deux civils ont été tués.", Some(42)),
            ("Vingt et un villageois ont été tués.", Some(21)),
            ("Trente et une femmes ont été tuées.", Some(31)),
            ("Soixante-dix personnes ont été tuées.", Some(70)),
            ("Soixante-dix-sept personnes ont été tuées.", Some(77)),
            ("Soixante et onze personnes ont été tuées.", Some(71)),
            ("Soixante-douze personnes ont été tuées.", Some(72)),
            ("Quatre-vingts personnes ont été tuées.", Some(80)),
            ("Quatre-vingt-deux personnes ont été tuées.", Some(82)),
            ("Quatre-vingt-dix personnes ont été tuées.", Some(90)),
            ("Quatre-vingt-dix-neuf personnes ont été tuées.", Some(99)),
            ("Dix-sept soldats ont été tués.", Some(17)),
            ("Deux cent cinquante villageois ont été tués.", Some(250)),
            ("Cent personnes ont été tuées.", Some(100)),
            ("Trois mille personnes ont été tuées.", Some(3000)),
            ("Mille civils ont été tués.", Some(1000)),
            ("Une dizaine de personnes ont été tuées.", Some(10)),
            ("Une vingtaine de villageois ont été tués.", Some(20)),
            ("Un homme a été tué.", Some(1)),
            ("Une femme a été tuée.", Some(1)),
        ],
    );
}

#[test]
fn vague_quantities_are_lower_bounds() {
    assert_counts(
        FR,
        &[
            (
                "Des dizaines de civils ont été tués.",
                "killing",
                Some(20),
                Some(20),
                None,
            ),
            (
                "Des centaines de familles ont fui.",
                "displacement",
                Some(200),
                Some(200),
                None,
            ),
            (
                "Des milliers de personnes ont fui.",
                "displacement",
                Some(2000),
                Some(2000),
                None,
            ),
            (
                "Des dizaines de milliers de personnes ont fui.",
                "displacement",
                Some(20000),
                Some(20000),
                None,
            ),
        ],
    );
    // "plusieurs", "de nombreux": no number.
    assert_fatalities(
        FR,
        &[
            ("Plusieurs personnes ont été tuées.", None),
            ("De nombreux civils ont été tués.", None),
        ],
    );
}

#[test]
fn modifiers_and_ranges() {
    assert_counts(
        FR,
        &[
            (
                "Au moins 40 personnes ont été tuées.",
                "killing",
                Some(40),
                Some(40),
                None,
            ),
            (
                "Plus de 40 personnes ont été tuées.",
                "killing",
                Some(40),
                Some(40),
                None,
            ),
            (
                "La mort d'au moins 12 personnes.",
                "killing",
                Some(12),
                Some(12),
                None,
            ),
            (
                "Jusqu'à 15 personnes ont été tuées.",
                "killing",
                Some(15),
                None,
                Some(15),
            ),
            (
                "Près de 300 personnes ont fui.",
                "displacement",
                Some(300),
                None,
                Some(300),
            ),
            (
                "Environ 300 personnes ont fui.",
                "displacement",
                Some(300),
                None,
                None,
            ),
            (
                "Quelque 300 personnes ont fui.",
                "displacement",
                Some(300),
                None,
                None,
            ),
            (
                "Entre 20 et 30 personnes ont été tuées.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
            (
                "De 10 à 15 civils ont été tués.",
                "killing",
                Some(10),
                Some(10),
                Some(15),
            ),
            (
                "Entre vingt et trente civils ont été tués.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
        ],
    );
}

#[test]
fn victims_are_named() {
    assert_victims(
        FR,
        &[
            ("Trois civils ont été tués.", "civilians"),
            ("Trois villageois ont été tués.", "villagers"),
            ("Trois enfants ont été tués.", "children"),
            ("Trois femmes ont été tuées.", "women"),
            ("Trois soldats ont été tués.", "soldiers"),
            ("Trois gendarmes ont été tués.", "soldiers"),
            ("Trois policiers ont été tués.", "police"),
            ("L'armée a tué trois jihadistes.", "militants"),
            ("Trois hommes armés ont été tués.", "militants"),
            ("Trois personnes ont été tuées.", "people"),
            ("Trois réfugiés ont été tués.", "refugees"),
        ],
    );
}

#[test]
fn several_victim_groups_and_repeated_numbers() {
    assert_fatalities(
        FR,
        &[
            ("Trois soldats et deux civils ont été tués.", Some(5)),
            (
                "Six militaires, cinq gendarmes et quinze jihadistes ont été tués.",
                Some(26),
            ),
            (
                "Douze personnes, dont trois enfants, ont été tuées.",
                Some(12),
            ),
            (
                "L'armée a tué 3 jihadistes ; 3 civils ont été tués dans les tirs croisés.",
                Some(6),
            ),
            (
                "Sept personnes ont été tuées à Bria. 7 personnes sont mortes.",
                Some(7),
            ),
            ("12 morts et 5 blessés dans l'attaque.", Some(12)),
        ],
    );
    let e = run(FR, "Des hommes armés ont tué 12 civils et blessé 5 autres.");
    assert_eq!(first(&e, "killing").count, Some(12));
    assert_eq!(first(&e, "injury").count, Some(5));
}

#[test]
fn negation() {
    for (text, kind) in [
        ("Aucune victime n'a été signalée.", "casualties"),
        ("Les élèves n'ont pas été blessés.", "injury"),
        ("L'armée a nié avoir tué des civils.", "killing"),
        (
            "Personne n'a été tué, sans faire de victimes.",
            "casualties",
        ),
        (
            "Les passagers sont sortis indemnes, aucun blessé.",
            "injury",
        ),
        ("Une tentative d'enlèvement a été déjouée.", "abduction"),
    ] {
        let e = run(FR, text);
        assert!(first(&e, kind).negated, "{text}: {:#?}", e.indicators);
        assert_eq!(e.fatalities, None, "{text}");
    }
}

#[test]
fn threats_are_not_killings() {
    let e = run(FR, "Les miliciens ont menacé de tuer les habitants.");
    assert!(first(&e, "killing").negated);
    let t = first(&e, "threat");
    assert!(!t.negated);
    assert_eq!(t.text, "ont menacé de tuer");
    assert_eq!(e.fatalities, None);
}

#[test]
fn the_conditional_and_hedges_are_unconfirmed() {
    for text in [
        "Cinq pêcheurs seraient morts.",
        "Douze civils auraient été tués.",
        "Le groupe aurait tué 20 soldats.",
        "Des sources non confirmées font état de 30 morts.",
        "Dix villageois sont probablement morts.",
    ] {
        let e = run(FR, text);
        assert!(
            first(&e, "killing").unconfirmed,
            "{text}: {:#?}",
            e.indicators
        );
        assert_eq!(e.fatalities, None, "{text}");
    }
    let e = run(
        FR,
        "3 soldats ont été tués. Ces chiffres n'ont pas pu être vérifiés.",
    );
    assert!(first(&e, "killing").unconfirmed);
}

#[test]
fn dates_ages_and_distances_are_not_counts() {
    assert_fatalities(
        FR,
        &[
            (
                "Le 21 mars 2020, un garçon de 12 ans a été tué à 5 km de Kidal.",
                Some(1),
            ),
            ("Le 3 juin, des hommes armés ont tué des civils.", None),
            ("En 2019, des civils ont été tués.", None),
            ("Des soldats ont abattu 58 bœufs.", None),
        ],
    );
}

#[test]
fn elided_words_and_language_detection() {
    let e = run(FR, "L'assassinat de 3 chefs de village a choqué la région.");
    let k = first(&e, "killing");
    assert_eq!(k.text, "assassinat de 3 chefs de village");
    assert_eq!(k.count, Some(3));
    let e = support::extractor().extract(
        "Au moins 40 villageois ont été tués dimanche lorsque des hommes armés ont attaqué le marché.",
        None,
    );
    assert_eq!(e.lang.as_deref(), Some("fr"));
    assert_eq!(e.fatalities, Some(40));
}
