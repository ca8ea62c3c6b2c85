"""Hidden check: exact match of the trained model's greedy outputs on 1,000 new strings,
scored in bands. It judges the model the visible training check left behind."""
from graders.checks import check
from graders.i18n import T
from graders.pictures import describe_curves, learning_curve


@check(points=13, visibility="after_due_date", target="train",
       ko="비공개 문자열 1,000개의 완전 일치율 (구간: 95%, 80%, 50%, 20%)")
def test_exact_match_on_hidden_strings(student, rng, mistakes, artifacts):
    """exact match on 1,000 hidden strings (bands: 95%, 80%, 50%, 20%)"""
    model = mistakes.current_run().require_model()
    strings = mistakes.digit_strings(rng, 1000)
    outs, hits = [], []
    for i in range(0, len(strings), 250):
        chunk = strings[i:i + 250]
        src, _ = mistakes.make_batch(chunk)
        out = model.call("generate", src, src.shape[1] + 1)
        mistakes.expect_generated(out, len(chunk), src.shape[1] + 1)
        outs.append(out)
        hits += mistakes.exact_matches(out, chunk)
    accuracy = sum(hits) / len(hits)
    by_length = mistakes.accuracy_by_length(strings, hits)
    # The full-marks line also keeps the axis from magnifying a 1% dip into a cliff.
    full_marks = [(by_length[0][0], 0.95), (by_length[-1][0], 0.95)]
    artifacts.image("exact-match-by-length.png",
                    learning_curve({T("your model", "제출한 모델"): by_length,
                                    T("full marks (95% overall)", "만점 (전체 95%)"): full_marks},
                                   title=T("exact match by string length", "문자열 길이별 완전 일치율"),
                                   xlabel=T("digits", "자릿수"), ylabel=T("exact match", "완전 일치율"), log_y=False),
                    caption=T("share of hidden strings of each length reversed exactly",
                              "길이별로 정확히 뒤집은 비공개 문자열의 비율"),
                    alt=describe_curves({T("your model", "제출한 모델"): by_length},
                                        xlabel=T("digits", "자릿수"), ylabel=T("exact match", "완전 일치율")))
    share = mistakes.band(accuracy)
    if share == 1.0:
        return 1.0, T("exact match {a}", "완전 일치율 {a}").format(a=f"{accuracy:.1%}")
    hint = mistakes.diagnose(outs, strings)
    message = T("exact match {a} on 1,000 hidden strings: {p} of 13 points (full marks from 95%)",
                "비공개 문자열 1,000개의 완전 일치율 {a}: 13점 중 {p}점 (95%부터 만점)").format(
        a=f"{accuracy:.1%}", p=round(share * 13))
    if accuracy > 0:
        length, worst = min(by_length, key=lambda p: p[1])
        message += T("; weakest on {n}-digit strings ({w})", "; {n}자리 문자열에서 가장 약함 ({w})").format(
            n=int(length), w=f"{worst:.0%}")
    return share, message + ("; " + hint if hint else "")
