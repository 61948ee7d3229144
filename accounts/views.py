"""Sign-up and profile; logging in, out and passwords are Django's auth views (urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.views import generic

from .forms import ProfileForm, SignUpForm
from .models import display_name


class SignUpView(RedirectURLMixin, generic.FormView):
    """Create an account with a display name, log it in and go back where the reader was."""

    form_class = SignUpForm
    template_name = "registration/signup.html"
    next_page = reverse_lazy("papers:index")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            user = form.save()
        login(self.request, user)
        messages.success(self.request, f"欢迎,{display_name(user)}!")
        return super().form_valid(form)


class ProfileView(LoginRequiredMixin, generic.FormView):
    """The signed-in reader's display name and email."""

    form_class = ProfileForm
    template_name = "registration/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        user = self.request.user
        return {"display_name": display_name(user), "email": user.email}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "资料已保存。")
        return super().form_valid(form)
