//! Runs the real `barid` binary and checks its output and exit codes.

use std::process::{Command, Output};

fn barid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barid"))
        .args(args)
        .env_remove("BARID_REFERENCE_DIR")
        .output()
        .expect("barid runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

#[test]
fn s10_check_prints_one_valid_line_and_names_the_wrong_check_digit() {
    let output = barid(&["s10", "check", "RR473124829GB", "RR473124828GB"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("RR473124829GB\tvalid"), "{text}");
    assert_eq!(
        lines[1],
        "RR473124828GB\tinvalid (check_digit): wrong check digit: it should be 9, found 8"
    );
}

#[test]
fn s10_check_exits_zero_when_all_are_valid() {
    let output = barid(&[
        "s10",
        "check",
        "EE 123 456 785 EG",
        "lx123456140eg",
        "CP123456025EG",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).lines().count(), 3);
}

#[test]
fn s10_check_json_has_one_object_per_line_with_stable_error_codes() {
    let ids = [
        "RR473124829GB",
        "RR4731248GB",
        "RR47312482XGB",
        "RR473124828GB",
        "SA473124829GB",
        "RB123456785XX",
    ];
    let mut args = vec!["s10", "check", "--json"];
    args.extend(ids);
    let output = barid(&args);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let errors: Vec<serde_json::Value> = lines.iter().map(|line| line["error"].clone()).collect();
    assert_eq!(
        errors,
        [
            serde_json::Value::Null,
            "length".into(),
            "format".into(),
            "check_digit".into(),
            "reserved_service_indicator".into(),
            "unknown_country".into()
        ]
    );
    for (line, id) in lines.iter().zip(ids) {
        assert_eq!(line["id"], id);
        assert_eq!(line["valid"], line["error"].is_null());
        assert!(line["message"].as_str().is_some_and(|m| !m.is_empty()));
        let mut keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["error", "id", "message", "valid"]);
    }
}

#[test]
fn s10_new_computes_the_check_digit() {
    let output = barid(&[
        "s10",
        "new",
        "--service",
        "EE",
        "--country",
        "EG",
        "--serial",
        "12345678",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "EE123456785EG\n");
    let output = barid(&[
        "s10",
        "new",
        "--service",
        "CP",
        "--country",
        "EG",
        "--serial",
        "12345602",
    ]);
    assert_eq!(stdout(&output), "CP123456025EG\n");
}

#[test]
fn s10_new_refuses_reserved_indicators_and_big_serials() {
    let reserved = barid(&[
        "s10",
        "new",
        "--service",
        "KA",
        "--country",
        "EG",
        "--serial",
        "1",
    ]);
    assert_eq!(reserved.status.code(), Some(1));
    let too_big = barid(&[
        "s10",
        "new",
        "--service",
        "EE",
        "--country",
        "EG",
        "--serial",
        "100000000",
    ]);
    assert_eq!(too_big.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&too_big.stderr).contains("more than 8 digits"));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(barid(&["s10", "check"]).status.code(), Some(2));
    assert_eq!(
        barid(&["s10", "new", "--service", "EE"]).status.code(),
        Some(2)
    );
    assert_eq!(barid(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn receptacle_parse_shows_every_field() {
    let output = barid(&["receptacle", "parse", "EGCAIAJOAMMAAUN50001001010123"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for expected in [
        "EGCAIA JOAMMA A UN 5 0001 001 0 1 0123",
        "S8 dispatch ID        EGCAIAJOAMMAAUN50001",
        "Origin office         EGCAIA  (Egypt)",
        "Destination office    JOAMMA  (Jordan)",
        "Mail category         A  Airmail / priority",
        "Delivery bill         CN 38",
        "Receptacle serial     001",
        "Last receptacle       no",
        "Registered items      yes",
        "Gross weight          12.3 kg",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn receptacle_parse_json_round_trips_the_fields() {
    let output = barid(&[
        "receptacle",
        "parse",
        "--json",
        "egcaiapsrmhacca600420071 10300",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        json["id"],
        "EGCAIAPSRMHACCA600420071 10300".replace(' ', "")
    );
    assert_eq!(json["dispatch_id"], "EGCAIAPSRMHACCA60042");
    assert_eq!(json["destination_country"], "PS");
    assert_eq!(json["mail_category"], "C");
    assert_eq!(json["delivery_bill"], "CN 37");
    assert_eq!(json["mail_subclass"], "CA");
    assert_eq!(json["mail_class"], "C");
    assert_eq!(json["year_digit"], 6);
    assert_eq!(json["dispatch_number"], 42);
    assert_eq!(json["receptacle_serial"], 7);
    assert_eq!(json["highest_receptacle"], true);
    assert_eq!(json["registered"], true);
    assert_eq!(json["weight_tenths_kg"], 300);
    assert_eq!(json["weight_grams"], 30_000);
}

#[test]
fn receptacle_parse_names_the_bad_field() {
    let output = barid(&[
        "receptacle",
        "parse",
        "--json",
        "EGCAIAJOAMMAAUN50001000010123",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["error"], "receptacle_serial");
    assert_eq!(json["valid"], false);
}

#[test]
fn codes_missing_from_the_reference_data_are_reported() {
    let output = barid(&["dispatch", "parse", "EGCAIAPSRMHAZCA60001"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("mail category Z is not in mail_categories.csv"));
}

#[test]
fn events_lists_the_25_codes_in_both_languages() {
    let output = barid(&["events", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 25);
    assert_eq!(lines[0]["code"], "EMA");
    let emi = lines.iter().find(|l| l["code"] == "EMI").unwrap();
    assert_eq!(emi["name_en"], "Final delivery");
    assert_eq!(emi["name_ar"], "تم التسليم");
}

#[test]
fn reference_tables_can_be_overridden_from_a_folder() {
    let dir = std::env::temp_dir().join(format!("barid-ref-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut events = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../barid-core/data/event_codes.csv"
    ))
    .unwrap();
    events.push_str("EMX,delivered,Delivered (legacy),سُلّمت (رمز قديم)\n");
    std::fs::write(dir.join("event_codes.csv"), events).unwrap();
    let output = barid(&["--reference-dir", dir.to_str().unwrap(), "events", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).lines().count(), 26);

    std::fs::write(
        dir.join("event_codes.csv"),
        "code,milestone,name_en,name_ar\nEMA,nope,x,y\n",
    )
    .unwrap();
    let broken = barid(&["--reference-dir", dir.to_str().unwrap(), "events"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("event_codes.csv, line 2"));
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = barid(&["--reference-dir", "/no/such/folder", "events"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}

#[test]
fn an_id_typed_over_several_lines_still_gets_one_output_line() {
    let output = barid(&["s10", "check", "RR\t473124829\nGB", "RR 473124828\nGB"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("RR 473124829 GB\tvalid"), "{text}");
    assert!(
        lines[1].starts_with("RR 473124828 GB\tinvalid (check_digit)"),
        "{text}"
    );
}

#[test]
fn empty_receptacles_travel_with_a_cn47() {
    let output = barid(&[
        "receptacle",
        "parse",
        "--json",
        "EGCAIAJOAMMACTE50001001010123",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["mail_class"], "T");
    assert_eq!(json["delivery_bill"], "CN 47");
    assert_eq!(json["error"], serde_json::Value::Null);
}

#[test]
fn a_bad_service_indicator_is_named_as_such() {
    let output = barid(&[
        "s10",
        "new",
        "--service",
        "E",
        "--country",
        "EG",
        "--serial",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a service indicator is two letters A-Z"),
        "{stderr}"
    );
}

#[test]
fn an_empty_reference_dir_variable_means_the_shipped_tables() {
    let output = Command::new(env!("CARGO_BIN_EXE_barid"))
        .args(["events", "--json"])
        .env("BARID_REFERENCE_DIR", "")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).lines().count(), 25);
}
