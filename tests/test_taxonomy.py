"""Tests of the metric taxonomy's cue conditions (transform/metrics.toml, transform/taxonomy.py).

Every rule is tried both ways on sentences written for these tests: where its condition
holds the cue counts, where it fails the figure takes another metric or none.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from extract.dates import find_dates
from extract.figures import find_figures
from tests.corpus import load_examples
from transform.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()


def metric(unit: str | None, item: str | None, sentence: str, before: str = "") -> str | None:
    return TAXONOMY.metric_for(unit, item, before, sentence)


def test_case_counts_violations_only_beside_a_violation_word() -> None:
    assert metric("trường hợp", None, "Đội CSGT đã xử phạt 120 trường hợp trong đợt cao điểm.") == "violations"
    assert metric("trường hợp", "vi phạm", "Kiểm tra 40 cơ sở, phát hiện 12 trường hợp vi phạm.") == "violations"
    assert metric("trường hợp", "không đội mũ bảo hiểm", "Lập biên bản 30 trường hợp không đội mũ bảo hiểm.") == (
        "violations"
    )
    # an illness, a suicide, a lottery win: cases of something else
    assert metric("trường hợp", "tự tử", "Năm ngoái tỉnh ghi nhận 500 trường hợp tự tử.") is None
    assert metric("trường hợp", "mắc sốt xuất huyết", "Bệnh viện tiếp nhận 70 trường hợp mắc sốt xuất huyết.") is None
    # without the violation, a death is a casualty
    assert metric("trường hợp", "tử vong", "Dịch cúm làm 3 trường hợp tử vong.") == "casualties"


def test_ten_is_a_thug_not_a_missile_a_domain_or_a_name() -> None:
    assert metric(None, "tên cướp", "Công an bắt giữ 2 tên cướp sau nửa giờ truy đuổi.") == "suspects"
    assert metric(None, "tên", "Ba tên bỏ chạy về phía bờ sông khi thấy công an.") == "suspects"
    assert metric(None, "tên lửa hành trình", "Tàu chiến phóng 4 tên lửa hành trình về phía biển.") is None
    assert metric(None, "tên miền", "Hơn 300 tên miền bị tấn công trong dịp Tết.") is None
    assert metric(None, "tên tuổi", "Giải đấu quy tụ 8 tên tuổi lớn của làng võ.") is None
    # counted with "cái", a "tên" is a name
    assert metric("cái", "tên", "Huấn luyện viên nhắc tới 2 cái tên mới.") is None


def test_a_thug_or_an_attacker_is_a_suspect_once_the_police_act() -> None:
    # "kẻ" and "tên" name perpetrators; the police's act makes them suspects
    assert metric(None, "kẻ tấn công", "Cảnh sát đã bắt 2 kẻ tấn công sau một giờ.") == "suspects"
    assert metric(None, "kẻ trộm", "Hai kẻ trộm đã ra đầu thú tại trụ sở.") == "suspects"
    assert metric(None, "kẻ đánh bom", "Hai kẻ đánh bom kích nổ thiết bị giữa chợ.") is None
    assert metric(None, "tên cướp", "Hai tên cướp giật túi xách rồi phóng xe bỏ chạy.") is None
    # a suspect by name is one whatever the sentence says
    assert metric(None, "kẻ tình nghi", "Ba kẻ tình nghi thừa nhận âm mưu cướp tài sản.") == "suspects"


def test_patients_counted_as_cases_who_died_are_casualties() -> None:
    assert metric(None, "ca", "Tuy nhiên, 4 ca đã tử vong tại bệnh viện.", "Tuy nhiên, ") == "casualties"
    assert metric(None, "ca", "Bệnh viện tiếp nhận 4 ca cấp cứu.", "Bệnh viện tiếp nhận ") is None


def test_kidnapped_people_are_not_suspects() -> None:
    assert metric(None, "người bị bắt", "Trong vụ việc có 4 người bị bắt.") == "suspects"
    assert metric(None, "nữ sinh bị bắt cóc", "Nhóm vũ trang thả 20 nữ sinh bị bắt cóc.") is None
    assert metric(None, "người", "Lực lượng đã bắt giữ 3 người.", before="Lực lượng đã bắt giữ ") == "suspects"
    assert metric(None, "người", "Nhóm vũ trang đã bắt cóc 3 người.", before="Nhóm vũ trang đã bắt cóc ") is None


def test_drones_only_where_the_sentence_says_they_were_unauthorised_or_handled() -> None:
    handled = "Trong năm, công an xử lý 45 lượt phương tiện bay trái phép."
    assert metric("lượt", "phương tiện bay trái phép", handled) == "drone_incidents"
    assert metric("chiếc", "flycam", "Lực lượng chức năng phát hiện, thu giữ 2 chiếc flycam gần sân bay.") == (
        "drone_incidents"
    )
    # a light show or a purchase is neither a drone incident nor a vehicle
    assert metric("chiếc", "drone", "Màn trình diễn có 500 chiếc drone gắn đèn màu.") is None
    assert metric(None, "phương tiện bay", "Hãng giới thiệu 3 phương tiện bay mới tại triển lãm.") is None
    assert metric("chiếc", "UAV", "Quân đội mua thêm 20 chiếc UAV do thám.") is None


def test_security_events_only_where_they_were_secured() -> None:
    secured = "Công an thành phố bảo đảm an ninh, an toàn tuyệt đối cho 120 lượt sự kiện lớn."
    assert metric("lượt", "sự kiện lớn", secured) == "security_events"
    assert metric(None, "lễ hội", "Lực lượng công an bảo vệ an toàn 40 lễ hội đầu xuân.") == "security_events"
    assert metric(None, "lễ hội", "Toàn tỉnh có hơn 300 lễ hội truyền thống.") is None
    assert metric(None, "hội nghị", "Thành phố sẽ tổ chức 3 hội nghị cho cán bộ.") is None


def test_crew_are_people_not_vehicles() -> None:
    assert metric(None, "thuyền", "Bộ đội biên phòng tạm giữ 3 thuyền đánh cá.") == "vehicles"
    assert metric(None, "thuyền viên", "Trên tàu có 12 thuyền viên.") is None
    assert metric(None, "thuyền trưởng", "Hai thuyền trưởng bị phạt.") is None


def test_animals_are_never_casualties() -> None:
    assert metric(None, "người chết", "Vụ cháy làm 3 người chết.") == "casualties"
    assert metric("con", "lợn chết", "Người dân phát hiện 20 con lợn chết trôi trên kênh.") is None
    assert metric("tấn", "cá chết", "Hơn 5 tấn cá chết dạt vào bờ.") is None
    assert metric(None, "gia cầm bị chết", "Dịch cúm làm 800 gia cầm bị chết.") is None


def test_victims_of_fraud_are_not_casualties() -> None:
    assert metric(None, "nạn nhân", "Vụ tai nạn khiến 2 nạn nhân phải đi cấp cứu.") == "casualties"
    assert metric(None, "nạn nhân", "Đối tượng lừa đảo, chiếm đoạt tài sản của 9 nạn nhân.") is None


def test_wheels_and_ratios_are_not_vehicles() -> None:
    assert metric("chiếc", "xe máy", "Công an tạm giữ 5 chiếc xe máy.") == "vehicles"
    assert metric("bánh", "xe", "Hai bánh xe trước văng ra đường.") is None
    assert metric("lần", "tàu bay quốc tế", "Phí thấp hơn 2,5 lần tàu bay quốc tế.") is None


def test_a_harvest_or_a_missile_test_is_no_case() -> None:
    assert metric("vụ", "trộm cắp", "Quận xảy ra 12 vụ trộm cắp tài sản.") == "cases"
    assert metric("vụ", "lúa", "Nông dân làm 3 vụ lúa mỗi năm.") is None
    assert metric("vụ", "thử hạt nhân", "Nước này đã tiến hành 5 vụ thử hạt nhân.") is None


def test_a_money_unit_decides_unless_it_opens_another_word() -> None:
    # the item runs on past the amount: the unit says what the figure is
    assert metric("đồng", "bị cáo chuyển", "Tòa hỏi số tiền 16,5 tỷ đồng bị cáo chuyển cho ai.") == "money"
    assert metric("đồng", "lễ hội", "Củ sâm được bán với giá 120 triệu đồng lễ hội năm nay.") == "money"
    # "đồng phạm", "đồng chí": not money
    assert metric("đồng", "phạm bị truy tố", "Bị cáo cùng 9 đồng phạm bị truy tố.") == "suspects"
    assert metric("đồng", "chí", "Đảng bộ kết nạp 6 đồng chí.") is None


def test_programmes_are_plans_only_where_they_are_carried_out() -> None:
    # a programme alone is a line of work, not a plan issued (judged sample 6)
    assert metric(None, "chương trình trọng tâm", "Thành phố triển khai 4 chương trình trọng tâm.") is None
    assert metric(None, "chương trình", "Hai chương trình truyền hình lên sóng cùng tuần.") is None
    assert metric(None, "kế hoạch", "Ban chỉ đạo ban hành 2 kế hoạch.") == "plans"
    assert metric(None, "kế hoạch", "Ban chỉ đạo có 2 kế hoạch.") is None  # a target, or plans? not said
    assert metric("%", "kế hoạch quý", "Kho bạc hoàn thành 14,9% kế hoạch quý, xây dựng tiếp.") is None
    assert metric(None, "phương án", "Có hai phương án.") is None
    assert metric(None, "phương án", "Công an xây dựng 12 phương án bảo vệ.") == "plans"
    assert metric(None, "phương án", "Bộ đưa ra 2 phương án điều chỉnh mức đóng bảo hiểm.") is None


def test_without_a_sentence_the_item_and_the_words_before_are_searched() -> None:
    assert TAXONOMY.metric_for("lượt", "phương tiện bay trái phép") == "drone_incidents"
    assert TAXONOMY.metric_for("chiếc", "drone") is None
    assert TAXONOMY.metric_for("trường hợp", None, "đã xử phạt ") == "violations"


def test_bounds_per_metric_and_unit() -> None:
    assert TAXONOMY.implausible("money", "đồng", 6.8266067050e19, None) is not None  # "68.266.067.050 tỷ đồng"
    assert TAXONOMY.implausible("money", "đồng", 4.48e15, None) is None  # a national budget
    assert TAXONOMY.implausible("money", "USD", 5e12, None) is None
    assert TAXONOMY.implausible("money", "USD", 2e14, None) is not None  # past world GDP
    reason = TAXONOMY.implausible("suspects", None, 2e10, None)  # "gần 20 tỷ bị bắt"
    assert reason is not None and "suspects" in reason
    assert TAXONOMY.implausible("suspects", None, 12, 2e10) is not None  # a range's end counts too
    assert TAXONOMY.implausible("communes_wards", None, 11_000, None) is None
    assert TAXONOMY.implausible("communes_wards", None, 12_001, None) is not None
    assert TAXONOMY.implausible("cases", "vụ", -3, None) is not None  # never below 0
    # a percentage is a share: its metric's count bound does not apply; no metric, no bound
    assert TAXONOMY.implausible("communes_wards", "%", 100, None) is None
    assert TAXONOMY.implausible(None, "kg", 1e30, None) is None
    assert TAXONOMY.maximum("money", "usd") == TAXONOMY.maximum("money", "USD")


def test_a_condition_for_a_cue_the_metric_does_not_have_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text(
        '[metrics.cases]\nhead = ["vụ"]\n\n[metrics.cases.cue."vụ án"]\nnot_followed_by = ["mạng"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="none of its cues"):
        load_taxonomy(path)
    path.write_text('[metrics.cases]\nhead = ["vụ"]\nmax = "many"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bound"):
        load_taxonomy(path)
    # a bound written under a cue's table would bound nothing: refused, not ignored
    path.write_text('[metrics.cases]\nhead = ["vụ"]\n\n[metrics.cases.cue."vụ"]\nmax = 10\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        load_taxonomy(path)


def test_conditions_and_bounds_come_from_the_file(tmp_path: Path) -> None:
    """An analyst's file changes what counts without code: a stricter cue and bound."""
    path = tmp_path / "metrics.toml"
    path.write_text(
        '[metrics.cases]\nhead = ["vụ"]\nmax = 50\n[metrics.cases.cue."vụ"]\nrequires_context = ["xảy ra"]\n',
        encoding="utf-8",
    )
    custom = load_taxonomy(path)
    assert custom.metric_for(None, "vụ", "", "Trên địa bàn xảy ra 3 vụ.") == "cases"
    assert custom.metric_for(None, "vụ", "", "Công an điều tra 3 vụ.") is None
    assert custom.implausible("cases", None, 51, None) is not None
    assert TAXONOMY.implausible("cases", None, 51, None) is None


def test_a_casualty_verb_counts_only_the_number_right_after_it() -> None:
    sentence = "Vụ nổ làm chết 4 người, bị thương hơn 9 người; 30 người được sơ tán."
    assert metric(None, "người", sentence, "Vụ nổ làm chết ") == "casualties"
    assert metric(None, "người", sentence, "Vụ nổ làm chết 4 người, bị thương hơn ") == "casualties"
    assert metric(None, "người", sentence, "người, bị thương hơn 9 người; ") is None
    assert metric(None, "người", "Đã có 3 người chết và 5 người được cứu.", "Đã có 3 người chết và ") is None


def test_a_casualty_word_after_the_item_in_its_clause_counts() -> None:
    sentence = "Vụ lật xe làm 6 người trên xe khách tử vong, 12 người được cứu."
    assert metric(None, "người", sentence, "Vụ lật xe làm ") == "casualties"
    assert metric(None, "người", sentence, "người trên xe khách tử vong, ") is None
    # only with a person's head: "3 xe … bị cháy" is no casualty count
    assert metric(None, "ngôi nhà", "Có 3 ngôi nhà ở đầu làng chết máy bơm.", "Có ") is None


def test_a_share_in_brackets_takes_the_metric_of_the_count_before_it() -> None:
    sentence = "Năm nay xảy ra 20 vụ, tăng 5 vụ (33%), làm chết thêm 2 người (50%)."
    assert metric("%", None, sentence, "Năm nay xảy ra 20 vụ, tăng 5 vụ (") == "cases"
    assert metric("%", None, sentence, "tăng 5 vụ (33%), làm chết thêm 2 người (") == "casualties"
    assert metric("%", None, "Lãi suất tăng 0,5 điểm (10%).", "Lãi suất tăng 0,5 điểm (") is None


def test_the_number_of_before_an_item_is_read_past() -> None:
    assert metric("%", "số vụ tai nạn", "Vi phạm chiếm 40% số vụ tai nạn.") == "cases"
    assert metric("%", "tổng số đối tượng", "Nữ chiếm 12% tổng số đối tượng bị bắt.") == "suspects"
    assert metric(None, "số người", "Có một số người đứng xem.") is None


def test_an_incident_is_never_a_casualty_count() -> None:
    assert metric("vụ", "đánh bom liều chết", "Hai vụ đánh bom liều chết xảy ra.") == "cases"


def test_soldiers_and_firemen_are_personnel_only_on_duty() -> None:
    assert metric(None, "binh sĩ", "Khoảng 1.000 binh sĩ được triển khai bảo vệ sân bay.") == "personnel"
    assert metric(None, "binh sĩ", "Hơn 20 binh sĩ dự lễ cưới tập thể.") is None
    assert metric(None, "lính cứu hỏa", "Gần 300 lính cứu hỏa được huy động dập lửa.") == "personnel"


def test_vehicles_are_never_casualties() -> None:
    sentence = "Vụ va chạm khiến tài xế và 2 người trên 2 xe máy bị thương."
    assert TAXONOMY.metric_for(None, "xe máy bị thương", "tài xế và 2 người trên", sentence) == "vehicles"
    assert TAXONOMY.metric_for(None, "người bị thương", "Vụ va chạm khiến", sentence) == "casualties"


NEGATIVE = load_examples("metrics_negative")


@pytest.mark.parametrize("example", NEGATIVE, ids=[e["text"][:60] for e in NEGATIVE])
def test_metrics_negative_corpus(example: dict) -> None:
    text = example["text"]
    found = find_figures(text, find_dates(text, example.get("reference")))
    assert found, (example["why"], "the example should give a figure for its metric to be kept out")
    metrics = [TAXONOMY.metric_for(f.unit, f.item, f.context_before, f.sentence) for f in found]
    assert metrics == [None] * len(found), (example["why"], [f.text for f in found], metrics)


def test_an_indefinite_vehicle_counts_where_something_happens_to_it() -> None:
    assert metric("chiếc", "xe tải", "Một chiếc xe tải lao vào nhà dân lúc nửa đêm.") == "vehicles"
    assert metric("chiếc", "xe máy", "Công an thu giữ một chiếc xe máy không biển số.", "Công an thu giữ ") == (
        "vehicles"
    )
    assert metric("chiếc", "xe", "Anh ấy vừa mua một chiếc xe mới.", "Anh ấy vừa mua ") is None
    # a number, not the article: the condition is for "một" alone before the unit
    assert metric("chiếc", "xe", "Anh ấy vừa mua 2 chiếc xe mới.", "Anh ấy vừa mua ") == "vehicles"
    assert metric("chiếc", "xe", "Đại lý bán được một trăm chiếc xe.", "Đại lý bán được ") == "vehicles"


def test_after_a_copula_the_article_classifies_but_a_number_counts() -> None:
    sentence = "Cảnh sát cho biết đây là một vụ cướp có tổ chức."
    assert metric("vụ", "cướp", sentence, "Cảnh sát cho biết đây là ") is None
    assert metric("vụ", "cướp", "Trên địa bàn xảy ra một vụ cướp.", "Trên địa bàn xảy ra ") == "cases"
    assert metric("vụ", None, "Số vụ trộm là 12 vụ.", "Số vụ trộm là ") == "cases"
    # "một triệu đồng" is an amount whatever comes before it
    assert metric("đồng", None, "Mức phạt là một triệu đồng.", "Mức phạt là ") == "money"


def test_a_verb_between_an_arrest_and_the_number_takes_the_number() -> None:
    assert metric(None, "người", "Công an đã bắt giữ 5 người tại sòng bạc.", "Công an đã bắt giữ ") == "suspects"
    assert metric(None, "người", "Công an đã bắt giữ hơn 5 người.", "Công an đã bắt giữ hơn ") == "suspects"
    before = "Khởi tố tài xế tông chết "
    assert metric(None, "người", f"{before}3 người trong một gia đình.", before) == "casualties"
    before = "Bắt tài xế gây tai nạn khiến "
    assert metric(None, "người bị phơi nhiễm", f"{before}9 người bị phơi nhiễm.", before) is None


def test_a_time_before_a_case_or_an_officer_counts_neither() -> None:
    assert metric("năm", "vụ khủng bố", "Thành phố đánh dấu 1 năm vụ khủng bố.", "Thành phố đánh dấu ") is None
    assert metric("vụ", "khủng bố", "Năm qua xảy ra 3 vụ khủng bố.", "Năm qua xảy ra ") == "cases"
    assert metric("tháng", "Cảnh sát", "Anh bị giam 2 tháng Cảnh sát thả ra.", "Anh bị giam ") is None
    assert metric(None, "cảnh sát", "Thành phố huy động 200 cảnh sát.", "Thành phố huy động ") == "personnel"


def test_soldiers_remembered_are_not_on_duty() -> None:
    assert metric(None, "chiến sĩ", "Đoàn tưởng niệm 64 chiến sĩ tại đảo.", "Đoàn tưởng niệm ") is None
    assert metric(None, "chiến sĩ", "Đơn vị điều 64 chiến sĩ đến hiện trường.", "Đơn vị điều ") == "personnel"


def test_a_law_listing_acts_handles_none() -> None:
    sentence = "Tội này gồm 3 hành vi: lừa, dọa, ép."
    assert metric(None, "hành vi", sentence, "Tội này gồm ") is None
    assert metric(None, "hành vi", "Công an xử lý 3 hành vi vi phạm.", "Công an xử lý ") == "violations"


def test_trees_and_fields_are_never_casualties() -> None:
    assert metric("cây", "thông chết khô", "Gần 50 cây thông chết khô.", "Gần ") is None
    assert metric("ha", "lúa bị chết", "Hơn 200 ha lúa bị chết.", "Hơn ") is None
    # "con" stays: a mother's children are casualties
    assert metric("con", "tử vong", "Bị nhốt trong xe, hai con tử vong.", "Bị nhốt trong xe, ") == "casualties"


def test_a_taxonomy_is_the_same_after_pickling_and_memoises_by_unit_and_item() -> None:
    copy = pickle.loads(pickle.dumps(TAXONOMY))
    assert copy == TAXONOMY and "_readings" not in copy.__dict__
    sentence = "Công an đã bắt giữ 5 người."
    assert copy.metric_for(None, "người", "Công an đã bắt giữ ", sentence) == "suspects"
    # the memo keeps what the unit and item say; the context is read on every call
    assert copy.metric_for(None, "người", "Có ", "Có 5 người đứng xem.") is None


def test_the_article_and_the_new_conditions_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text('[metrics.cases]\nhead = ["vụ"]\nunit = ["vụ"]\n', encoding="utf-8")
    sentence = "Đây là một vụ cướp."
    assert load_taxonomy(path).metric_for("vụ", "cướp", "Đây là ", sentence) == "cases"  # no [indefinite]
    path.write_text(
        '[indefinite]\nnumbers = ["một"]\nnot_after = ["là"]\n'
        '[metrics.cases]\nhead = ["vụ"]\nunit = ["vụ"]\n[metrics.cases.cue."vụ"]\nnot_after = ["gồm"]\n',
        encoding="utf-8",
    )
    custom = load_taxonomy(path)
    assert custom.metric_for("vụ", "cướp", "Đây là ", sentence) is None
    assert custom.metric_for("vụ", None, "Danh sách gồm ", "Danh sách gồm 3 vụ.") is None
    assert custom.metric_for("vụ", None, "Xảy ra ", "Xảy ra 3 vụ.") == "cases"


def test_a_hypothetical_case_counts_nothing_but_one_that_happened_does() -> None:
    assert metric("vụ", "tai nạn", "Nguy cơ về một vụ tai nạn sẽ rất cao.", "Nguy cơ về ") is None
    before = "Nhóm này chuẩn bị "
    assert metric("vụ", "tấn công", f"{before}một vụ tấn công lớn.", before) is None
    assert metric("vụ", "tai nạn", "Sáng nay xảy ra một vụ tai nạn.", "Sáng nay xảy ra ") == "cases"
    # the condition is for the article alone: a number of cases in a forecast still counts
    assert metric("vụ", "tai nạn", "Năm nay có thể xảy ra 30 vụ tai nạn.", "Năm nay có thể xảy ra ") == "cases"


def test_a_study_s_subjects_are_not_suspects() -> None:
    assert metric(None, "đối tượng", "Một nghiên cứu với 562 đối tượng ở tuổi 70.", "Một nghiên cứu với ") is None
    assert metric(None, "đối tượng nghiên cứu", "Có 30 đối tượng nghiên cứu được chọn.", "Có ") is None
    assert metric(None, "đối tượng", "Công an bắt 3 đối tượng trộm cắp.", "Công an bắt ") == "suspects"


def test_officers_among_the_dead_or_injured_are_not_on_duty() -> None:
    before = "Trong số 10 người bị thương, có "
    assert metric(None, "cảnh sát", f"{before}5 cảnh sát.", before) is None
    assert metric(None, "cảnh sát", "Thành phố điều 300 cảnh sát bảo vệ lễ hội.", "Thành phố điều ") == "personnel"
    assert metric(None, "cảnh sát", "Nhóm này đã hối lộ 80 cảnh sát giao thông.", "Nhóm này đã hối lộ ") is None
    # an officer as an author is no force on duty; an officer on a ship's crew is
    assert metric(None, "sĩ quan", "Bài viết do 3 sĩ quan hải quân soạn.", "Bài viết do ") is None
    assert metric(None, "sĩ quan", "Tàu cập cảng với 29 sĩ quan và 159 thủy thủ.", "Tàu cập cảng với ") == "personnel"


def test_a_number_ending_a_list_of_group_numbers_counts_no_wards() -> None:
    before = "Mất điện ở tổ 20, "
    assert metric(None, "phường", f"{before}21 phường Yên Hòa.", before) is None
    before = "Tính đến ngày 2-6, "
    assert metric(None, "xã", f"{before}hai xã có 700 hộ bị ảnh hưởng.", before) == "communes_wards"
    assert metric(None, "xã", "Huyện có 12 xã đạt chuẩn nông thôn mới.", "Huyện có ") == "communes_wards"
    assert metric(None, "xã", "Họ gặp nhau ở ngã 3 xã Ea Tu.", "Họ gặp nhau ở ngã ") is None


def test_a_case_counts_violations_only_where_its_own_words_say_so() -> None:
    # the violation word after the next number is that number's
    sentence = "Đoàn kiểm tra nêu 25 trường hợp là người thân, 6 trường hợp vi phạm quy trình."
    assert metric(None, "trường hợp", sentence, "Đoàn kiểm tra nêu ") is None
    assert metric("trường hợp", "vi phạm quy trình", sentence, "trường hợp là người thân, ") == "violations"
    sentence = "Công an kiểm tra 300 trường hợp, xử phạt 40 trường hợp."
    assert metric(None, "trường hợp", sentence, "Công an kiểm tra ") is None
    assert metric(None, "trường hợp", sentence, "kiểm tra 300 trường hợp, xử phạt ") == "violations"
    # a word before the figure holds for every count after it; a share in brackets is no count
    sentence = "Các lỗi vi phạm: không đội mũ bảo hiểm 300 trường hợp; không có giấy phép lái xe 120 trường hợp."
    assert metric(None, "trường hợp", sentence, "không có giấy phép lái xe ") == "violations"
    sentence = "Còn 120 trường hợp (chiếm 40%) chưa nộp phạt."
    assert metric(None, "trường hợp", sentence, "Còn ") == "violations"
    # a check of alcohol levels is no violation, a breach of the limit is
    assert metric(None, "trường hợp", "Đội kiểm tra nồng độ cồn 90 trường hợp.", "Đội kiểm tra nồng độ cồn ") is None
    before = "Đội phát hiện "
    assert metric("trường hợp", "vi phạm nồng độ cồn", f"{before}9 trường hợp vi phạm nồng độ cồn.", before) == (
        "violations"
    )


def test_a_time_a_kind_or_a_plate_is_no_violation_handled() -> None:
    before = "Người vi phạm bị giam tới "
    assert metric("ngày/lần", "vi phạm", f"{before}15 ngày cho mỗi lần vi phạm.", before) is None
    before = "Chiếc xe này đã "
    assert metric("lần", "vi phạm tốc độ", f"{before}8 lần vi phạm tốc độ.", before) == "violations"
    before = "Nếu bị ghi nhận "
    assert metric("lần", "vi phạm", f"{before}3 lần vi phạm thì phải học lại luật.", before) is None
    # a comparison with "nếu như" reports what happened
    before = "Nếu như năm trước xử phạt "
    sentence = f"{before}200 trường hợp vi phạm thì năm nay giảm."
    assert metric("trường hợp", "vi phạm", sentence, before) == "violations"
    before = "Chạy quá tốc độ là một trong "
    assert metric(None, "lỗi vi phạm", f"{before}5 lỗi vi phạm gây tai nạn.", before) is None
    before = "Trong số "
    assert metric("trường hợp", "vi phạm", f"{before}200 trường hợp vi phạm có 20 xe tải.", before) == "violations"
    before = "Tổ tuần tra phát hiện xe tải BKS: 51C – "
    assert metric(None, "vi phạm tốc độ", f"{before}23817 vi phạm tốc độ.", before) is None
    before = "Tổ tuần tra phát hiện "
    assert metric(None, "vi phạm tốc độ", f"{before}12 vi phạm tốc độ.", before) == "violations"


def test_a_ward_is_not_a_guild_a_chainage_or_an_area_s_number() -> None:
    before = "Tai nạn xảy ra tại km 15+"
    assert metric(None, "xã", f"{before}300 xã Tân Lập.", before) is None
    assert metric(None, "phường xoan cổ", "Hội làng mời 4 phường xoan cổ.", "Hội làng mời ") is None
    assert metric(None, "phường", "Cháu sống ở tổ 3, KV 5 phường Hải Cảng.", "Cháu sống ở tổ 3, KV ") is None
    assert metric(None, "phường", "Quận chỉ đạo 5 phường ra quân.", "Quận chỉ đạo ") == "communes_wards"


def test_a_screening_run_or_the_options_of_a_rule_are_no_plans() -> None:
    assert metric(None, "chương trình khám sàng lọc", "Bệnh viện thực hiện 20 chương trình khám sàng lọc.") is None
    assert metric(None, "chương trình hành động", "Tỉnh thực hiện 3 chương trình hành động.") == "plans"
    assert metric(None, "phương án quy định", "Có 2 phương án quy định về lực lượng bảo vệ.") is None
    assert metric(None, "phương án bảo vệ", "Công an xây dựng 12 phương án bảo vệ.") == "plans"


def test_the_next_number_and_the_plate_conditions_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text(
        '[metrics.violations]\nhead = ["trường hợp"]\nnot_after_code = true\n'
        '[metrics.violations.cue."trường hợp"]\nrequires_to_clause_end = ["xử phạt"]\n',
        encoding="utf-8",
    )
    custom = load_taxonomy(path)
    sentence = "Kiểm tra 30 trường hợp, xử phạt 5 trường hợp."
    assert custom.metric_for(None, "trường hợp", "Kiểm tra ", sentence) is None
    assert custom.metric_for(None, "trường hợp", "trường hợp, xử phạt ", sentence) == "violations"
    # without a sentence, the item and the words before the number are searched
    assert custom.metric_for(None, "trường hợp", "đã xử phạt ") == "violations"
    assert custom.metric_for(None, "trường hợp", "xe 30A – ", "Đã xử phạt xe 30A – 5 trường hợp.") is None
    # without the condition, the plate's number counts
    path.write_text('[metrics.violations]\nhead = ["trường hợp"]\n', encoding="utf-8")
    assert load_taxonomy(path).metric_for(None, "trường hợp", "xe 30A – ", "Xe 30A – 5 trường hợp.") == "violations"


def test_a_number_that_ends_a_name_counts_no_communes() -> None:
    before = "Nhà văn hóa thôn Bãi "
    assert metric(None, "xã", f"{before}3 xã Tân Lập được sửa.", before) is None
    # capitals alone are no name, and a clause's first word is none either
    assert metric(None, "phường", "UBND 10 phường đã ra quân.", "UBND ") == "communes_wards"
    assert metric(None, "phường", "Tại 17 phường, lực lượng đã ra quân.", "Tại ") == "communes_wards"
    assert metric(None, "xã", "Dân hai xã Tân Lập và Tân Hòa.", "Dân ") == "communes_wards"


def test_the_name_condition_comes_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text('[metrics.communes_wards]\nhead = ["xã"]\n', encoding="utf-8")
    sentence = "Dân thôn Bãi 3 xã Tân Lập."
    assert load_taxonomy(path).metric_for(None, "xã", "Dân thôn Bãi ", sentence) == "communes_wards"
    path.write_text('[metrics.communes_wards]\nhead = ["xã"]\nnot_after_name = true\n', encoding="utf-8")
    assert load_taxonomy(path).metric_for(None, "xã", "Dân thôn Bãi ", sentence) is None
    assert load_taxonomy(path).metric_for(None, "xã Woodville", "Có ", "Có 2 xã Woodville.") == "communes_wards"
    path.write_text('[metrics.communes_wards]\nhead = ["xã"]\nnot_foreign_names = true\n', encoding="utf-8")
    assert load_taxonomy(path).metric_for(None, "xã Woodville", "Có ", "Có 2 xã Woodville.") is None


def test_a_town_abroad_is_no_commune() -> None:
    assert metric(None, "thị trấn Woodville", "Phim quay ở hai thị trấn Woodville và Ashford.") is None
    assert metric(None, "thị trấn Montefalco", "Lễ hội ở 3 thị trấn Montefalco, Bevagna.") is None
    # Vietnamese names are one syllable a word, the highlands' too
    assert metric(None, "thị trấn Krông Kmar", "Điện về 2 thị trấn Krông Kmar và Ea Drăng.") == "communes_wards"
    assert metric(None, "xã Ea Súp", "Lũ cô lập 3 xã Ea Súp.") == "communes_wards"
    assert metric(None, "thị trấn", "Tỉnh có 7 thị trấn.") == "communes_wards"


def test_a_unitless_amount_of_a_rule_is_read_in_the_unit_the_taxonomy_gives_it(tmp_path: Path) -> None:
    """`rule_units`: "thu hơn 11.000 tỷ" (rule scaled_alone) is money; the same figure from
    another rule, or with an item, is not read that way; a file without it reads none."""
    sentence = "Năm qua ngành thuế thu hơn 11.000 tỷ."
    assert TAXONOMY.metric_for(None, None, "ngành thuế thu hơn ", sentence, "scaled_alone") == "money"
    assert TAXONOMY.metric_for(None, None, "ngành thuế thu hơn ", sentence, "measure_alone") is None
    assert TAXONOMY.metric_for(None, None, "ngành thuế thu hơn ", sentence) is None
    path = tmp_path / "metrics.toml"
    path.write_text('[metrics.money]\nunit = ["đồng"]\nunit_decides = true\n', encoding="utf-8")
    assert load_taxonomy(path).metric_for(None, None, "", sentence, "scaled_alone") is None


def test_the_whole_of_a_part_takes_no_outcome_after_it() -> None:
    """ "2 người trong số 4 bệnh nhân đó đã tử vong": the 2 died, the 4 were patients
    ([metrics.casualties] after_item_not_after); without the partitive the patients died."""
    for text, expected in (
        ("Bệnh viện cho biết 2 người trong số 4 bệnh nhân đó đã tử vong.", None),
        ("Bệnh viện cho biết 4 bệnh nhân đó đã tử vong.", "casualties"),
    ):
        found = {f.text: f for f in find_figures(text, [])}
        whole = found["4 bệnh nhân"]
        assert TAXONOMY.metric_for(whole.unit, whole.item, whole.context_before, whole.sentence) == expected, text


def test_a_tolls_per_vehicle_counts_no_vehicle() -> None:
    """ "35.000 đồng cho 1 lượt xe qua": the toll's "per one" ([metrics.vehicles] not_after)."""
    text = "Trạm thu phí 35.000 đồng cho 1 lượt xe qua."
    found = {f.text: TAXONOMY.metric_for(f.unit, f.item, f.context_before, f.sentence) for f in find_figures(text, [])}
    assert found == {"35.000 đồng": "money", "1 lượt xe": None}
