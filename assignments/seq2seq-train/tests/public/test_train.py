"""Visible checks: the model's interface, then one training run within the time budget.

train() runs once per submission, here; the checks after it (the loss report below, the
hidden accuracy check) judge the model and losses that run left behind (see mistakes.py).
The accuracy on 200 visible validation strings is shown with the timing, for information.
"""
from graders.checks import CheckFailure, check, fail
from graders.i18n import T, message_of
from graders.pictures import describe_curves, learning_curve

TIME_BUDGET, GRACE = 120.0, 10.0      # keep in step with mistakes.py and the statement


@check(points=1, visibility="visible", target="build_model",
       ko="build_model: 어떤 어휘 크기에서도 파라미터가 있는 nn.Module을 반환")
def test_build_model_returns_a_module(student, mistakes):
    """build_model returns an nn.Module with parameters, for any vocabulary sizes"""
    mistakes.expect_module(student.call("build_model", 13, 13), "build_model(13, 13)")
    mistakes.expect_module(student.call("build_model", 20, 17), "build_model(20, 17)")


@check(points=2, visibility="visible", target="build_model",
       ko="generate: 학습 전 모델에서 타깃 id의 (B, n) LongTensor, n <= max_len")
def test_generate_before_training(student, rng, mistakes):
    """generate on an untrained model: a (B, n) LongTensor of target ids, n <= max_len"""
    model = mistakes.expect_module(student.call("build_model", 13, 13), "build_model(13, 13)")
    src, _ = mistakes.make_batch(mistakes.digit_strings(rng, 5))
    mistakes.expect_generated(model.call("generate", src, 12, check_inputs=True), 5, 12,
                              what=T("generate(src of shape (5, S), max_len=12)",
                                     "generate(형태가 (5, S)인 src, max_len=12)"))
    mistakes.expect_generated(model.call("generate", src[:1, :3], 4), 1, 4,
                              what=T("generate(src of shape (1, 3), max_len=4)",
                                     "generate(형태가 (1, 3)인 src, max_len=4)"))
    other = mistakes.expect_module(student.call("build_model", 20, 17), "build_model(20, 17)")
    mistakes.expect_generated(other.call("generate", src, 6), 5, 6, vocab=17,
                              what=T("generate of build_model(20, 17)", "build_model(20, 17)의 generate"))


@check(points=3, visibility="visible", target="train", timeout=TIME_BUDGET + GRACE,
       ko="train: 제한 시간 안에 배치 200개로 모델을 갱신")
def test_train_within_time_budget(student, rng, device, mistakes, artifacts):
    """train updates the model on 200 batches within the time budget"""
    run = mistakes.train_once(student, rng, device)
    records = run.recorder.call("snapshot")
    if records:
        artifacts.image("learning-curve.png",
                        learning_curve({T("your train()", "제출한 train()"): records},
                                       title=T("reported loss", "보고한 손실"),
                                       xlabel=T("step", "스텝"), ylabel=T("loss", "손실")),
                        caption=T("report(step, loss) during the graded training run",
                                  "채점용 학습 중에 보고한 report(step, loss)"),
                        alt=describe_curves({T("your train()", "제출한 train()"): records},
                                            xlabel=T("step", "스텝"), ylabel=T("loss", "손실")))
    if not run.changed:
        fail(mistakes.NOTHING_TRAINED.format(seconds=f"{run.seconds:.1f}"))
    if run.seconds > TIME_BUDGET:
        fail(mistakes.OVER_BUDGET.format(seconds=f"{run.seconds:.0f}", budget=f"{TIME_BUDGET:.0f}"))
    note = T("train took {s} s of {b} s", "train이 {b}초 중 {s}초 걸렸습니다").format(
        s=f"{run.seconds:.0f}", b=f"{TIME_BUDGET:.0f}")
    strings = mistakes.digit_strings(rng, 200)
    src, _ = mistakes.make_batch(strings)
    try:
        out = run.model.call("generate", src, src.shape[1] + 1)
        mistakes.expect_generated(out, len(strings), src.shape[1] + 1)
    except CheckFailure as err:
        return 1.0, note + T("; generate failed on the validation strings: ", "; 검증 문자열에서 generate가 실패했습니다: ") \
            + message_of(err)
    hits = mistakes.exact_matches(out, strings)
    return 1.0, note + T("; exact match on 200 visible validation strings: {a}",
                         "; 공개 검증 문자열 200개의 완전 일치율: {a}").format(a=f"{sum(hits) / len(hits):.1%}")


@check(points=1, visibility="visible", target="train",
       ko="report(step, loss): 학습 손실이 줄어드는 것을 보여 줌")
def test_reported_loss_goes_down(student, mistakes):
    """report(step, loss) shows the training loss going down"""
    run = mistakes.current_run()
    if run.recorder is None:
        fail(T("no losses to judge: ", "판단할 손실이 없습니다: ") + (run.error or mistakes.NOT_RUN))
    problem = mistakes.loss_problems(run.recorder.call("snapshot"))
    if problem:
        fail(problem)
