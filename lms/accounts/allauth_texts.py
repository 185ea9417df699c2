# ruff: noqa: E501 (allauth's msgids, verbatim, one literal each)
"""django-allauth's texts that Kyky translates itself.

allauth's Swedish catalogue has some of them wrong (the log-in page's hint to sign up says "Already
have an account? Then log in"), writes "epost" for "e-post" and "mail" for "e-post(meddelande)", and
its Finnish one has a few awkward ones. Catalogues under ``LOCALE_PATHS`` (``lms/locale``) take
precedence over the apps' own, so Kyky's translations of these exact msgids are the ones shown;
listing them here keeps ``makemessages`` from dropping them. Nothing imports this module.

Changed (msgid: what was wrong):
- the log-in page's hint to sign up: Swedish said the opposite (sv, fi plainer);
- "Email", "Email address", "Email Addresses", and every text that says "epost"/"mail": Swedish
  spelling (e-post, e-postadress, e-postmeddelande);
- "You must type the same password each time.": Swedish lacked half the sentence;
- "Removed email address %(email)s.": Swedish was an order ("Ta bort ...");
- "Password successfully changed." and "Password successfully set.": Finnish had a typo, Swedish
  was a fragment;
- "Are you sure you want to sign out?": Swedish lacked "på";
- the confirmation and password pages' and e-mails' texts: "verifiera" became "bekräfta" as on
  the rest of Kyky's pages; Finnish in plain language.
"""

from django.utils.translation import gettext_noop

ALLAUTH_TEXTS = (
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Email Addresses"),
    gettext_noop("You must type the same password each time."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Confirm Email Address"),
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'
    ),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes."
    ),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
    gettext_noop("Primary email address set."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Add Email"),
    gettext_noop("Add Email Address"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Verified"),
    gettext_noop("Unverified"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Password Reset Email"),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password."
    ),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an account with email %(email)s. However, we do not have any record of such an account in our database."
    ),
    gettext_noop("This mail can be safely ignored if you did not initiate this action."),
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
)
