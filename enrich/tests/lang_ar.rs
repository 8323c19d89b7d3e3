//! Arabic extraction: one test per kind, per count form (digits, Arabic-Indic digits, number words
//! in their masculine, feminine, construct and dual forms), per clitic form, and per negation,
//! hedge and threat form, over the built-in lexicon (`config/lexicons/ar.toml`). Evidence spans
//! are code points of the original right-to-left text.

mod support;

use enrich::fold::char_slice;
use support::{assert_counts, assert_fatalities, assert_kinds, assert_victims, first, run};

const AR: &str = "ar";

#[test]
fn every_kind_has_a_trigger() {
    assert_kinds(
        AR,
        &[
            ("killing", "قتل راعيان قرب البئر."),
            ("massacre", "وقعت مجزرة في القرية."),
            ("mass_grave", "عثر على مقبرة جماعية قرب المخيم."),
            ("execution", "أعدم المسلحون السجناء ميدانيا."),
            ("shelling", "تواصل القصف المدفعي على الأحياء السكنية."),
            ("arson", "أضرم المهاجمون النار في المنازل."),
            ("displacement", "نزح آلاف السكان إلى المدن المجاورة."),
            ("abduction", "اختطف مسلحون عشرين طالبة."),
            ("sexual_violence", "تعرضت نساء للاغتصاب على أيدي الجنود."),
            ("torture", "تعرض المعتقلون للتعذيب."),
            ("looting", "نهب المسلحون المحلات."),
            ("attack_protected_site", "استهدف القصف مستشفى المدينة."),
            ("hate_speech", "انتشر خطاب الكراهية ضد اللاجئين."),
            ("hate_speech", "قال إن هؤلاء جرذان."),
            ("mobilisation", "جرى تسليح الميليشيات في المنطقة."),
            ("siege", "تخضع المدينة للحصار منذ أسابيع."),
            ("arbitrary_detention", "اعتقلت قوات الأمن عشرات الأشخاص."),
            ("disappearance", "لا يزال ناشطان في عداد المفقودين."),
            ("threat", "تلقى الصحفي تهديدات بالقتل."),
            ("injury", "أصيب ثلاثة ركاب."),
            ("casualties", "سقط عشرات الضحايا في الهجوم."),
        ],
    );
}

#[test]
fn each_kind_keeps_its_risk_factor() {
    let e = run(AR, "أعلنت التعبئة العامة وتلقى السكان تهديدات.");
    assert_eq!(first(&e, "mobilisation").risk_factor, "RF7");
    assert_eq!(first(&e, "threat").risk_factor, "RF9");
    let e = run(AR, "حذر من تطهير عرقي بعد الهجوم على قافلة مساعدات.");
    assert_eq!(first(&e, "hate_speech").risk_factor, "RF10");
    assert_eq!(first(&e, "attack_protected_site").risk_factor, "RF14");
}

#[test]
fn digits_arabic_indic_digits_and_separators() {
    assert_counts(
        AR,
        &[
            ("قتل 12 مدنيا.", "killing", Some(12), None, None),
            ("قتل ١٢ مدنيا.", "killing", Some(12), None, None),
            ("قتل ۱۲ مدنيا.", "killing", Some(12), None, None),
            ("نزح 1,200 شخص.", "displacement", Some(1200), None, None),
            ("نزح ١٬٢٠٠ شخص.", "displacement", Some(1200), None, None),
            (
                "نزح ١٫٥ مليون شخص.",
                "displacement",
                Some(1_500_000),
                None,
                None,
            ),
            (
                "نزح 2.5 مليون شخص.",
                "displacement",
                Some(2_500_000),
                None,
                None,
            ),
        ],
    );
}

#[test]
fn number_words_in_their_forms() {
    assert_fatalities(
        AR,
        &[
            ("قتل ثلاثة رجال.", Some(3)),
            ("قتلت ثلاث نساء.", Some(3)),
            ("قتل عشرة أشخاص.", Some(10)),
            ("قتلت عشر نساء.", Some(10)),
            ("قتل أحد عشر شخصا.", Some(11)),
            ("قتل اثنا عشر شخصا.", Some(12)),
            ("قتل خمسة عشر شخصا.", Some(15)),
            ("قتل عشرون شخصا.", Some(20)),
            ("قتل عشرين شخصا.", Some(20)),
            ("قتل خمسة وعشرون شخصا.", Some(25)),
            ("قتل واحد وعشرون شخصا.", Some(21)),
            ("قتل مئة شخص.", Some(100)),
            ("قتل مائة شخص.", Some(100)),
            ("قتل مئتا شخص.", Some(200)),
            ("قتل مئتي شخص.", Some(200)),
            ("قتل ثلاثمائة وخمسون شخصا.", Some(350)),
            ("قتل ثلاث مئة شخص.", Some(300)),
            ("قتل ألف شخص.", Some(1000)),
            ("قتل ثلاثة آلاف شخص.", Some(3000)),
            ("قتل ألفان وخمسمائة شخص.", Some(2500)),
            ("قتل أحد الجنود.", Some(1)),
        ],
    );
}

#[test]
fn duals_and_singulars_are_their_own_count() {
    assert_fatalities(
        AR,
        &[
            ("سقط قتيلان.", Some(2)),
            ("سقط قتيلان وثلاثة جرحى.", Some(2)),
            ("قتل جنديان.", Some(2)),
            ("قتل طفلان.", Some(2)),
            ("مقتل طفل.", Some(1)),
            ("قتل رجل وامرأة.", Some(2)),
            ("قتل جندي ومدنيان.", Some(3)),
            // After a number the singular is the noun counted, not one more.
            ("سقط ألف قتيل.", Some(1000)),
            ("قتل مئة شخص.", Some(100)),
        ],
    );
    let e = run(AR, "قتل جنديان.");
    assert_eq!(first(&e, "killing").victims.as_deref(), Some("soldiers"));
}

#[test]
fn vague_quantities_are_lower_bounds() {
    assert_counts(
        AR,
        &[
            ("قتل عشرات المدنيين.", "killing", Some(20), Some(20), None),
            (
                "نزحت مئات العائلات.",
                "displacement",
                Some(200),
                Some(200),
                None,
            ),
            (
                "نزح آلاف الأشخاص.",
                "displacement",
                Some(2000),
                Some(2000),
                None,
            ),
            (
                "نزح عشرات الآلاف.",
                "displacement",
                Some(20000),
                Some(20000),
                None,
            ),
        ],
    );
    assert_fatalities(
        AR,
        &[("قتل عدد من المدنيين.", None), ("قتل عدة أشخاص.", None)],
    );
}

#[test]
fn modifiers_before_and_after_and_ranges() {
    assert_counts(
        AR,
        &[
            ("قتل 12 شخصا على الأقل.", "killing", Some(12), Some(12), None),
            ("قتل على الأقل 12 شخصا.", "killing", Some(12), Some(12), None),
            ("قتل أكثر من 12 شخصا.", "killing", Some(12), Some(12), None),
            (
                "قتل ما لا يقل عن 12 شخصا.",
                "killing",
                Some(12),
                Some(12),
                None,
            ),
            (
                "قتل ما يصل إلى 15 شخصا.",
                "killing",
                Some(15),
                None,
                Some(15),
            ),
            ("نزح نحو 300 شخص.", "displacement", Some(300), None, None),
            ("نزح حوالي 300 شخص.", "displacement", Some(300), None, None),
            (
                "قتل بين 20 و30 شخصا.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
            (
                "قتل ما بين 20 و30 شخصا.",
                "killing",
                Some(20),
                Some(20),
                Some(30),
            ),
        ],
    );
}

#[test]
fn clitics_are_matched() {
    // و + ال + قتلى, لل + مدنيين, ب + قتل, مصرع + هم.
    let e = run(AR, "قتل 3 أشخاص والقتلى من المدنيين.");
    assert_eq!(
        e.indicators.iter().filter(|i| i.kind == "killing").count(),
        2
    );
    let e = run(AR, "لقي 5 أشخاص مصرعهم.");
    let k = first(&e, "killing");
    assert_eq!((k.count, k.text.as_str()), (Some(5), "5 أشخاص مصرعهم"));
    let e = run(AR, "وقتل ٣ أشخاص وأصيب ٥ آخرون.");
    assert_eq!(first(&e, "killing").count, Some(3));
    assert_eq!(first(&e, "injury").count, Some(5));
    let e = run(AR, "قتل عشرات المدنيين وأصيب المئات.");
    assert_eq!(first(&e, "killing").victims.as_deref(), Some("civilians"));
    assert_eq!(first(&e, "injury").count, Some(200));
    // "كلا" (both) is a word, not ك + لا (no).
    let e = run(AR, "قتل كلا الرجلين.");
    assert!(!first(&e, "killing").negated);
}

#[test]
fn verb_first_order() {
    assert_fatalities(
        AR,
        &[
            ("قتل مسلحون 12 مدنيا.", Some(12)),
            ("قتل مسلحون مجهولون 12 مدنيا.", Some(12)),
            ("قتل الجيش 3 مسلحين.", Some(3)),
            ("أسفر الهجوم عن مقتل 12 شخصا.", Some(12)),
            ("لقي 12 شخصا حتفهم.", Some(12)),
        ],
    );
}

#[test]
fn victims_are_named() {
    assert_victims(
        AR,
        &[
            ("قتل ثلاثة مدنيين.", "civilians"),
            ("قتل 12 مدنيا.", "civilians"),
            ("قتل ثلاثة قرويين.", "villagers"),
            ("قتل ثلاثة أطفال.", "children"),
            ("قتلت ثلاث نساء.", "women"),
            ("قتل ثلاثة جنود.", "soldiers"),
            ("قتل ثلاثة من رجال الشرطة.", "police"),
            ("قتل الجيش ثلاثة مسلحين.", "militants"),
            ("قتل 12 مسلحا.", "militants"),
            ("قتل ثلاثة أشخاص.", "people"),
            ("قتل ثلاثة لاجئين.", "refugees"),
        ],
    );
}

#[test]
fn several_victim_groups_and_repeated_numbers() {
    assert_fatalities(
        AR,
        &[
            ("قتل ثلاثة جنود ومدنيان.", Some(5)),
            ("قتل 3 جنود و2 من المدنيين.", Some(5)),
            ("قتل 12 شخصا بينهم ثلاثة أطفال.", Some(12)),
            (
                "قتل الجيش 3 مسلحين، وقتل 3 مدنيين في تبادل إطلاق النار.",
                Some(6),
            ),
            (
                "قتل سبعة أشخاص في المدينة. وقتل 7 أشخاص في الهجوم.",
                Some(7),
            ),
        ],
    );
}

#[test]
fn negation() {
    for (text, kind) in [
        ("لا إصابات.", "injury"),
        ("لم يسفر الهجوم عن إصابات.", "injury"),
        ("لم يسفر القصف عن وقوع إصابات.", "injury"),
        ("نفى الجيش قتل مدنيين.", "killing"),
        ("لم يقتل أحد.", "killing"),
        ("لم يصب أحد بأذى.", "injury"),
        ("أحبطت الشرطة محاولة اختطاف.", "abduction"),
    ] {
        let e = run(AR, text);
        assert!(first(&e, kind).negated, "{text}: {:#?}", e.indicators);
        assert_eq!(e.fatalities, None, "{text}");
    }
    // The subject of a negated verb of result happened: "the shelling did not result in injuries".
    let e = run(AR, "لم يسفر القصف عن وقوع إصابات.");
    assert!(!first(&e, "shelling").negated);
}

#[test]
fn threats_are_not_killings() {
    let e = run(AR, "هدد المسلحون بقتل الرهائن.");
    assert!(first(&e, "killing").negated);
    let threats: Vec<_> = e.indicators.iter().filter(|i| i.kind == "threat").collect();
    assert_eq!(threats.len(), 1, "{threats:?}");
    assert_eq!(threats[0].text, "هدد المسلحون بقتل");
    assert_eq!(e.fatalities, None);
}

#[test]
fn hedges_are_unconfirmed() {
    for text in [
        "يُعتقد أن 12 شخصا قتلوا.",
        "يرجح أن 12 شخصا قتلوا.",
        "زعم التنظيم أنه قتل 20 جنديا.",
        "أفادت أنباء غير مؤكدة بمقتل 30 شخصا.",
        "يعتقد أن الهجوم أسفر عن مقتل 12 شخصا.",
    ] {
        let e = run(AR, text);
        assert!(
            first(&e, "killing").unconfirmed,
            "{text}: {:#?}",
            e.indicators
        );
        assert_eq!(e.fatalities, None, "{text}");
    }
    let e = run(AR, "قتل 3 جنود. ولم يتسن التحقق من هذه الأرقام.");
    assert!(first(&e, "killing").unconfirmed);
    // A death sentence is not a killing.
    assert_fatalities(AR, &[("حكم على 3 أشخاص بالإعدام.", None)]);
}

#[test]
fn dates_ages_and_distances_are_not_counts() {
    assert_fatalities(
        AR,
        &[
            (
                "في 21 مارس 2020 قتل طفل يبلغ من العمر 12 عاما على بعد 5 كلم من البلدة.",
                Some(1),
            ),
            ("قتل مدنيون يوم 3 حزيران.", None),
            ("قتل مدنيون عام 2019.", None),
            ("قتل 20 بالمئة من السكان.", None),
            ("قتل الجنود 58 رأسا من الماشية.", None),
        ],
    );
}

#[test]
fn spans_are_code_points_of_the_right_to_left_text() {
    // Marks, Arabic-Indic digits, a Latin word and a line break before the evidence.
    let text = "Idlib —\nقَالَت مصادر: قُتِلَ ١٢ مَدَنِيًّا في إدلب.";
    let e = run(AR, text);
    let k = first(&e, "killing");
    assert_eq!(k.text, "قُتِلَ ١٢ مَدَنِيًّا");
    assert_eq!(char_slice(text, k.start, k.end), k.text);
    assert_eq!(
        k.start,
        text.chars().position(|c| c == 'ق').map(|p| p + 14).unwrap()
    );
    assert_eq!(k.end - k.start, k.text.chars().count());
    assert_eq!(k.count, Some(12));
    assert_eq!(k.victims.as_deref(), Some("civilians"));
}

#[test]
fn language_detection() {
    let e = support::extractor().extract(
        "قتل 40 قرويا على الأقل يوم الأحد عندما هاجم مسلحون مجهولون السوق في القرية.",
        None,
    );
    assert_eq!(e.lang.as_deref(), Some("ar"));
    assert_eq!(e.fatalities, Some(40));
}
