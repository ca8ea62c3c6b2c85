"""Pictures speak the reader's language: caption and text alternative from the engine's two texts."""
import pytest
from django.urls import reverse

from graders.contracts import Artifact as EngineArtifact
from graders.i18n import T
from seqlab.submissions.models import Artifact

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def test_caption_and_alt_follow_the_readers_language(client, student, graded):
    engine_artifact = EngineArtifact(name="heatmap.png", media_type="image/png", data=PNG, check="",
                                     caption=T("attention weights, yours beside the reference",
                                               "어텐션 가중치: 제출한 코드와 정답"),
                                     alt=T("two 4 by 6 heat maps; row sums are 1.0", "4×6 히트맵 두 개. 행의 합은 1.0"))
    from seqlab.blobs.services import blob_store
    Artifact.objects.create(result=graded.current_result, name="heatmap.png", media_type="image/png",
                            caption=str(engine_artifact.caption), texts=engine_artifact.i18n(),
                            blob=blob_store(data=PNG))
    client.force_login(student)
    ko = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "어텐션 가중치: 제출한 코드와 정답" in ko and 'alt="4×6 히트맵 두 개. 행의 합은 1.0"' in ko
    assert "yours beside the reference" not in ko
    en = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "attention weights, yours beside the reference" in en and 'alt="two 4 by 6 heat maps; row sums are 1.0"' in en


@pytest.mark.parametrize("texts", [{}, {"ko": "not a dict"}, {"en": {"caption": 5}}])
def test_a_picture_without_usable_texts_falls_back_to_its_caption(student, graded, texts):
    from seqlab.blobs.services import blob_store
    a = Artifact.objects.create(result=graded.current_result, name="p.png", media_type="image/png",
                                caption="a caption", texts=texts, blob=blob_store(data=PNG))
    assert a.text_in("ko", "caption") == "a caption" and a.text_in("ko", "alt") == "a caption"
