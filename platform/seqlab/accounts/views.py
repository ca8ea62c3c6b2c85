"""The API token page for the command-line client."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from seqlab.accounts.services import token_get, token_rotate


@login_required
def token_page(request):
    if request.method == "POST":
        token_rotate(user=request.user)
        return redirect("accounts:token")
    return render(request, "accounts/token.html", {"token": token_get(user=request.user)})
