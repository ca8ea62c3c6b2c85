"""Hidden check: exact match of the trained model's greedy outputs on 1,000 new strings,
scored in bands. It judges the model the visible training check left behind."""
from graders.checks import check
from graders.pictures import learning_curve


@check(points=13, visibility="after_due_date", target="train")
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
                    learning_curve({"your model": by_length, "full marks (95% overall)": full_marks},
                                   title="exact match by string length", xlabel="digits",
                                   ylabel="exact match", log_y=False),
                    caption="share of hidden strings of each length reversed exactly")
    share = mistakes.band(accuracy)
    if share == 1.0:
        return 1.0, f"exact match {accuracy:.1%}"
    hint = mistakes.diagnose(outs, strings)
    message = f"exact match {accuracy:.1%} on 1,000 hidden strings: {round(share * 13)} of 13 points (full marks from 95%)"
    if accuracy > 0:
        length, worst = min(by_length, key=lambda p: p[1])
        message += f"; weakest on {int(length)}-digit strings ({worst:.0%})"
    return share, message + (f"; {hint}" if hint else "")
