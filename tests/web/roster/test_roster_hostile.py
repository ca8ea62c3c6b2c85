"""Hostile form values on the instructors' roster pages."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("folder", ["\x00", "adder\x00", "a" * 5000, "ad/der"])
def test_a_library_folder_name_no_folder_can_have_is_a_404_not_a_500(client, instructor, settings, tmp_path, folder):
    settings.SEQLAB_ASSIGNMENTS_DIR = tmp_path
    client.force_login(instructor)
    assert client.post("/manage/library/sync/", {"folder": folder}).status_code == 404
