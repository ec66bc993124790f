import datetime as dt

from ingest.text import SubtypeRule, clean_text, find_identifiers, formation_date, recognise_subtype

TODAY = dt.date(2026, 11, 27)


def test_clean_text_drops_spaces_between_chinese_and_widens_nothing_else():
    raw = "居 民 家 庭 经 济 状 况 入 户 核 查 表\n户主 姓名 : 张 伟 ，身份证号：４２０１０２\n收入 3 215.40 元"
    cleaned = clean_text(raw)
    assert "居民家庭经济状况入户核查表" in cleaned
    assert "户主姓名:张伟，身份证号：420102" in cleaned
    assert "3 215.40" in cleaned  # digits keep their spaces: 3 215.40 is not 3215.40


def test_only_valid_ids_are_found_even_with_ocr_spaces():
    text = "身份证号码:4201021985 03151234 错误号:420102198503151235 其他:11010519491231002x"
    found = find_identifiers([text], today=TODAY)
    assert found.resident_ids == ("420102198503151234", "11010519491231002X")


def test_report_and_authorization_numbers_are_found_and_normalised():
    text = "报告编号：第 42010220240300017aaf1 号\n授权书编号:居经授第420102202400000123号"
    found = find_identifiers([text], today=TODAY)
    assert found.report_numbers == ("第42010220240300017aaf1号",)
    assert found.authorization_numbers == ("居经授第420102202400000123号",)


def test_names_next_to_labels_stop_at_the_next_label():
    found = find_identifiers(
        ["户主姓名:张伟身份证号码:420102198503151234\n申请人:李娜"], today=TODAY
    )
    assert found.names == ("张伟", "李娜")


def test_formation_date_is_the_latest_date_not_in_the_future():
    found = find_identifiers(["2024年3月1日 授权 2024年3月18日 出具 2099年1月1日"], today=TODAY)
    assert formation_date(found, TODAY) == dt.date(2024, 3, 18)


def test_subtype_is_recognised_from_the_title_longest_keyword_first():
    rules = [
        SubtypeRule(1, "report", ("核对报告",)),
        SubtypeRule(2, "report", ("复核核对报告",)),
        SubtypeRule(3, "process", ("入户核查表", "人户核查表")),
    ]
    assert recognise_subtype(["居民家庭经济状况核对报告\n..."], rules).subtype_id == 1
    assert recognise_subtype(["复核核对报告"], rules).subtype_id == 2
    assert recognise_subtype(["居民家庭经济状况人户核查表"], rules).subtype_id == 3
    assert recognise_subtype(["一段没有标题的文字"], rules) is None
