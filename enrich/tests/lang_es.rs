//! Spanish extraction: one test per kind, per count form, and per negation, hedge and threat
//! form, over the built-in lexicon (`config/lexicons/es.toml`).

mod support;

use support::{assert_counts, assert_fatalities, assert_kinds, assert_victims, first, run};

const ES: &str = "es";

#[test]
fn every_kind_has_a_trigger() {
    assert_kinds(
        ES,
        &[
            ("killing", "Dos campesinos fueron asesinados cerca del río."),
            ("massacre", "Una masacre ocurrió en la vereda."),
            (
                "mass_grave",
                "Una fosa común fue hallada cerca del campamento.",
            ),
            ("execution", "Los prisioneros fueron ejecutados."),
            (
                "shelling",
                "Los bombardeos contra los barrios residenciales continuaron.",
            ),
            ("arson", "Los atacantes prendieron fuego a varias casas."),
            (
                "displacement",
                "Miles de habitantes huyeron hacia los pueblos vecinos.",
            ),
            (
                "abduction",
                "Hombres armados secuestraron a veinte estudiantes.",
            ),
            (
                "sexual_violence",
                "Varias mujeres denunciaron violencia sexual por parte de soldados.",
            ),
            ("torture", "Los detenidos fueron torturados."),
            ("looting", "Las tiendas fueron saqueadas."),
            (
                "attack_protected_site",
                "Los atacantes atacaron una escuela del pueblo.",
            ),
            (
                "hate_speech",
                "El concejal pronunció un discurso de odio contra los migrantes.",
            ),
            ("hate_speech", "Dijo que esa gente son ratas."),
            (
                "mobilisation",
                "Denunciaron el reclutamiento forzado de menores.",
            ),
            ("siege", "La ciudad está bajo asedio desde hace semanas."),
            (
                "arbitrary_detention",
                "Decenas de personas fueron detenidas.",
            ),
            (
                "disappearance",
                "Dos activistas desaparecieron tras su arresto.",
            ),
            ("threat", "Recibieron amenazas de muerte."),
            ("injury", "Tres pasajeros resultaron heridos."),
            ("casualties", "El ataque dejó numerosas víctimas."),
        ],
    );
}

#[test]
fn each_kind_keeps_its_risk_factor() {
    let e = run(
        ES,
        "Hubo movilización de milicias y amenazas contra los líderes.",
    );
    assert_eq!(first(&e, "mobilisation").risk_factor, "RF7");
    assert_eq!(first(&e, "threat").risk_factor, "RF9");
    let e = run(
        ES,
        "Denunció una limpieza étnica y el ataque contra un convoy humanitario.",
    );
    assert_eq!(first(&e, "hate_speech").risk_factor, "RF10");
    assert_eq!(first(&e, "attack_protected_site").risk_factor, "RF14");
}

#[test]
fn digits_with_spanish_separators() {
    assert_counts(
        ES,
        &[
            (
                "1.200 personas fueron desplazadas.",
                "displacement",
                Some(1200),
                None,
                None,
            ),
            (
                "1 200 personas fueron desplazadas.",
                "displacement",
                Some(1200),
                None,
                None,
            ),
            (
                "1,200 personas fueron desplazadas.",
                "displacement",
                Some(1200),
                None,
                None,
            ),
            (
                "1,5 millones de personas han huido.",
                "displacement",
                Some(1_500_000),
                None,
                None,
            ),
            (
                "2,5 millones de personas han huido.",
                "displacement",
                Some(2_500_000),
                None,
                None,
            ),
            (
                "12 civiles fueron asesinados.",
                "killing",
                Some(12),
                None,
                None,
            ),
        ],
    );
}

#[test]
fn number_words() {
    assert_fatalities(
        ES,
        &[
            ("Cuarenta y dos civiles fueron asesinados.", Some(42)),
            ("Veintiún campesinos fueron asesinados.", Some(21)),
            ("Veintiuno murieron.", Some(21)),
            ("Veintidós personas murieron.", Some(22)),
            ("Doscientos civiles murieron.", Some(200)),
            ("Doscientos cincuenta civiles murieron.", Some(250)),
            ("Ciento veinte personas murieron.", Some(120)),
            ("Cien personas murieron.", Some(100)),
            ("Mil personas murieron.", Some(1000)),
            ("Dos mil personas murieron.", Some(2000)),
            ("Mil doscientos civiles murieron.", Some(1200)),
            ("Quinientas mujeres murieron.", Some(500)),
            ("Una decena de personas murieron.", Some(10)),
            ("Un centenar de personas murieron.", Some(100)),
            ("Un hombre fue asesinado.", Some(1)),
            ("Una mujer fue asesinada.", Some(1)),
            ("Dieciséis soldados murieron.", Some(16)),
        ],
    );
}

#[test]
fn vague_quantities_are_lower_bounds() {
    assert_counts(
        ES,
        &[
            (
                "Decenas de civiles fueron asesinados.",
                "killing",
                Some(20),
                Some(20),
                None,
            ),
            (
                "Centenares de familias huyeron.",
                "displacement",
                Some(200),
                Some(200),
                None,
            ),
            (
                "Cientos de personas huyeron.",
                "displacement",
                Some(200),
                Some(200),
                None,
            ),
            (
                "Miles de personas huyeron.",
                "displacement",
                Some(2000),
                Some(2000),
                None,
            ),
            (
                "Decenas de miles de personas huyeron.",
                "displacement",
                Some(20000),
                Some(20000),
                None,
            ),
        ],
    );
    assert_fatalities(
        ES,
        &[
            ("Varias personas fueron asesinadas.", None),
            ("Numerosos civiles murieron.", None),
        ],
    );
}

#[test]
fn modifiers_and_ranges() {
    assert_counts(
        ES,
        &[
            (
                "Al menos 40 personas murieron.",
                "killing",
                Some(40),
                Some(40),
                None,
            ),
            (
                "Por lo menos 40 personas murieron.",
                "killing",
                Some(40),
                Some(40),
                None,
            ),
            (
                "Más de 40 personas murieron.",
                "killing",
                Some(40),
                Some(40),
                None,
            ),
            (
                "Hasta 15 personas murieron.",
                "killing",
                Some(15),
                None,
                Some(15),
            ),
            (
                "Casi 300 personas huyeron.",
                "displacement",
                Some(300),
                None,
                Some(300),
            ),
            (
                "Unas 300 personas huyeron.",
                "displacement",
                Some(300),
                None,
                None,
            ),
            (
                "Alrededor de 300 personas huyeron.",
                "displacement",
                Some(300),
                None,
                None,
            ),
            (
                "Entre 20 y 30 personas murieron.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
            (
                "De 10 a 15 civiles murieron.",
                "killing",
                Some(10),
                Some(10),
                Some(15),
            ),
            (
                "Murieron entre 20 y 30 personas.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
        ],
    );
}

#[test]
fn verb_first_counts() {
    assert_fatalities(
        ES,
        &[
            ("Murieron 12 personas en el ataque.", Some(12)),
            ("Fueron asesinados tres campesinos.", Some(3)),
            ("Mataron a cinco comuneros.", Some(5)),
            ("La muerte de 12 personas fue confirmada.", Some(12)),
            ("El ataque dejó 12 muertos.", Some(12)),
        ],
    );
    let e = run(ES, "Murieron 12 personas y resultaron heridas otras 5.");
    assert_eq!(first(&e, "injury").count, Some(5));
}

#[test]
fn victims_are_named() {
    assert_victims(
        ES,
        &[
            ("Tres civiles fueron asesinados.", "civilians"),
            ("Tres campesinos fueron asesinados.", "civilians"),
            ("Tres aldeanos fueron asesinados.", "villagers"),
            ("Tres niños fueron asesinados.", "children"),
            ("Tres mujeres fueron asesinadas.", "women"),
            ("Tres soldados fueron asesinados.", "soldiers"),
            ("Tres policías fueron asesinados.", "police"),
            ("El ejército mató a tres guerrilleros.", "militants"),
            ("Tres personas fueron asesinadas.", "people"),
            ("Tres migrantes fueron asesinados.", "refugees"),
        ],
    );
}

#[test]
fn several_victim_groups_and_repeated_numbers() {
    assert_fatalities(
        ES,
        &[
            ("Tres soldados y dos civiles murieron.", Some(5)),
            ("Murieron tres soldados y dos civiles.", Some(5)),
            (
                "Seis militares, cinco policías y quince guerrilleros murieron.",
                Some(26),
            ),
            ("Doce personas murieron, entre ellas tres niños.", Some(12)),
            (
                "El ejército mató a 3 guerrilleros; 3 civiles murieron en el fuego cruzado.",
                Some(6),
            ),
            (
                "Siete personas murieron en Tumaco. 7 personas fueron asesinadas.",
                Some(7),
            ),
        ],
    );
}

#[test]
fn negation() {
    for (text, kind) in [
        ("No hubo víctimas.", "casualties"),
        ("Los estudiantes no resultaron heridos.", "injury"),
        ("El ejército negó haber matado a civiles.", "killing"),
        ("Nadie resultó herido.", "injury"),
        ("El ataque no dejó muertos.", "killing"),
        ("Los pasajeros salieron ilesos, sin heridos.", "injury"),
    ] {
        let e = run(ES, text);
        assert!(first(&e, kind).negated, "{text}: {:#?}", e.indicators);
        assert_eq!(e.fatalities, None, "{text}");
    }
}

#[test]
fn threats_are_not_killings() {
    let e = run(
        ES,
        "Los paramilitares amenazaron con matar a los líderes sociales.",
    );
    assert!(first(&e, "killing").negated);
    let t = first(&e, "threat");
    assert!(!t.negated);
    assert_eq!(t.text, "amenazaron con matar");
    assert_eq!(e.fatalities, None);
}

#[test]
fn the_conditional_and_hedges_are_unconfirmed() {
    for text in [
        "Cinco pescadores habrían muerto.",
        "Doce civiles habrían sido asesinados.",
        "Se teme que diez personas murieron.",
        "Informes no confirmados hablan de 30 muertos.",
    ] {
        let e = run(ES, text);
        assert!(
            first(&e, "killing").unconfirmed,
            "{text}: {:#?}",
            e.indicators
        );
        assert_eq!(e.fatalities, None, "{text}");
    }
    // "presuntamente" attributes, as English "allegedly": counted.
    assert_fatalities(
        ES,
        &[("Tres civiles fueron presuntamente asesinados.", Some(3))],
    );
}

#[test]
fn dates_ages_and_distances_are_not_counts() {
    assert_fatalities(
        ES,
        &[
            (
                "El 21 de marzo de 2020 un niño de 12 años murió a 5 km del caserío.",
                Some(1),
            ),
            ("El 3 de junio fueron asesinados civiles.", None),
            ("En 2019 murieron civiles.", None),
            ("Los soldados mataron 58 reses.", None),
        ],
    );
}

#[test]
fn language_detection() {
    let e = support::extractor().extract(
        "Al menos 40 aldeanos fueron asesinados el domingo cuando hombres armados atacaron el mercado.",
        None,
    );
    assert_eq!(e.lang.as_deref(), Some("es"));
    assert_eq!(e.fatalities, Some(40));
}
