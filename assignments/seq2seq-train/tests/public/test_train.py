"""Visible checks: the model's interface, then one training run within the time budget.

train() runs once per submission, here; the checks after it (the loss report below, the
hidden accuracy check) judge the model and losses that run left behind (see mistakes.py).
The accuracy on 200 visible validation strings is shown with the timing, for information.
"""
from graders.checks import CheckFailure, check, fail
from graders.pictures import learning_curve

TIME_BUDGET, GRACE = 120.0, 10.0      # keep in step with mistakes.py and the statement


@check(points=1, visibility="visible", target="build_model")
def test_build_model_returns_a_module(student, mistakes):
    """build_model returns an nn.Module with parameters, for any vocabulary sizes"""
    mistakes.expect_module(student.call("build_model", 13, 13), "build_model(13, 13)")
    mistakes.expect_module(student.call("build_model", 20, 17), "build_model(20, 17)")


@check(points=2, visibility="visible", target="build_model")
def test_generate_before_training(student, rng, mistakes):
    """generate on an untrained model: a (B, n) LongTensor of target ids, n <= max_len"""
    model = mistakes.expect_module(student.call("build_model", 13, 13), "build_model(13, 13)")
    src, _ = mistakes.make_batch(mistakes.digit_strings(rng, 5))
    mistakes.expect_generated(model.call("generate", src, 12, check_inputs=True), 5, 12,
                              what="generate(src of shape (5, S), max_len=12)")
    mistakes.expect_generated(model.call("generate", src[:1, :3], 4), 1, 4,
                              what="generate(src of shape (1, 3), max_len=4)")
    other = mistakes.expect_module(student.call("build_model", 20, 17), "build_model(20, 17)")
    mistakes.expect_generated(other.call("generate", src, 6), 5, 6, vocab=17,
                              what="generate of build_model(20, 17)")


@check(points=3, visibility="visible", target="train", timeout=TIME_BUDGET + GRACE)
def test_train_within_time_budget(student, rng, device, mistakes, artifacts):
    """train updates the model on 200 batches within the time budget"""
    run = mistakes.train_once(student, rng, device)
    records = run.recorder.call("snapshot")
    if records:
        artifacts.image("learning-curve.png", learning_curve({"your train()": records}, title="reported loss"),
                        caption="report(step, loss) during the graded training run")
    if not run.changed:
        fail(f"train returned after {run.seconds:.1f} s without changing any parameter of the model: "
             "nothing was trained")
    if run.seconds > TIME_BUDGET:
        fail(f"train took {run.seconds:.0f} s; it must return within {TIME_BUDGET:.0f} s "
             "(check the time inside your loop and stop early)")
    note = f"train took {run.seconds:.0f} s of {TIME_BUDGET:.0f} s"
    strings = mistakes.digit_strings(rng, 200)
    src, _ = mistakes.make_batch(strings)
    try:
        out = run.model.call("generate", src, src.shape[1] + 1)
        mistakes.expect_generated(out, len(strings), src.shape[1] + 1)
    except CheckFailure as err:
        return 1.0, f"{note}; generate failed on the validation strings: {err}"
    hits = mistakes.exact_matches(out, strings)
    return 1.0, f"{note}; exact match on 200 visible validation strings: {sum(hits) / len(hits):.1%}"


@check(points=1, visibility="visible", target="train")
def test_reported_loss_goes_down(student, mistakes):
    """report(step, loss) shows the training loss going down"""
    run = mistakes.current_run()
    if run.recorder is None:
        fail("no losses to judge: " + (run.error or "train() did not run"))
    problem = mistakes.loss_problems(run.recorder.call("snapshot"))
    if problem:
        fail(problem)
