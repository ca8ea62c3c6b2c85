"""The API token page for the command-line client: make a token (its key shown this once), revoke one."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from seqlab.accounts.selectors import token_list_for_user
from seqlab.accounts.services import token_revoke, token_rotate


@login_required
def token_page(request):
    new = token_rotate(user=request.user) if request.method == "POST" else None
    # The key is in this response only; a reload shows the token's prefix and dates, never the key.
    response = render(request, "accounts/token.html", {"new": new, "tokens": token_list_for_user(user=request.user)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    if not token_revoke(user=request.user, token_id=token_id):
        raise Http404           # not this user's, or no longer active: no existence leak either way
    return redirect("accounts:token")
