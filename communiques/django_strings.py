"""Django's own admin strings, named here so that `makemessages` keeps them in our catalogues.

Django 5.2 ships no Pashto catalogue: without these msgids in locale/ps, a Pashto admin shows
Django's buttons, menus and messages in the default language's words instead. Dari falls back to
Django's Persian catalogue, which lacks a few of them ("Please correct the error below.") and
names the site in Iranian rather than Afghan words. Our catalogues (LOCALE_PATHS) are searched
before Django's, so a msgid translated here wins.

Nothing imports this module: makemessages reads files, not modules. The msgids must stay exactly
as in Django's source (django/contrib/admin, django/contrib/auth, axes, django/forms), or they
translate nothing; the plural ones need ngettext_lazy so that they keep their msgid_plural.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    gettext_noop("Django site admin"),
    gettext_noop("Django administration"),
    gettext_noop("Site administration"),
    gettext_noop("View site"),
    gettext_noop("Skip to main content"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Welcome,"),
    gettext_noop("Change password"),
    gettext_noop("Log out"),
    gettext_noop("Authentication and Authorization"),
    gettext_noop("users"),
    gettext_noop("groups"),
    gettext_noop("access attempts"),
    gettext_noop("access logs"),
    gettext_noop("access failures"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Add"),
    gettext_noop("Change"),
    gettext_noop("View"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    gettext_noop("None available"),
    gettext_noop("%(app)s administration"),
    gettext_noop("Select %s to change"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Search"),
    gettext_noop("%(full_result_count)s total"),
    gettext_noop("Filter"),
    gettext_noop("Show counts"),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("All"),
    gettext_noop("Action:"),
    gettext_noop("Run the selected action"),
    gettext_noop("Go"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Remove from sorting"),
    gettext_noop("Toggle sorting"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("0 of %(cnt)s selected"),
    gettext_noop(
        "Items must be selected in order to perform actions on them. No items have been changed."
    ),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View on site"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Date:"),
    gettext_noop("Time:"),
    gettext_noop("Currently:"),
    gettext_noop("Change:"),
    gettext_noop("Remove"),
    gettext_noop("Delete?"),
    gettext_noop("Delete"),
    gettext_noop("Save"),
    gettext_noop("Save and add another"),
    gettext_noop("Save and continue editing"),
    gettext_noop("Error:"),
    gettext_noop("This field is required."),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of '
        "the following related items will be deleted:"
    ),
    gettext_noop("Summary"),
    gettext_noop("Objects"),
    gettext_noop("Yes, I’m sure"),
    gettext_noop("No, take me back"),
    gettext_noop("Log in"),
    gettext_noop("username"),
    gettext_noop("Password"),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note "
        "that both fields may be case-sensitive."
    ),
    gettext_noop("Logged out"),
    gettext_noop("Thanks for spending some quality time with the web site today."),
    gettext_noop("Log in again"),
    gettext_noop("Password change"),
    gettext_noop(
        "Please enter your old password, for security’s sake, and then enter your new "
        "password twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Change my password"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
]

# Lazy: nothing is translated at import, and no number is ever given to them.
PLURAL_MESSAGES = [
    ngettext_lazy("%(counter)s result", "%(counter)s results", "n"),
    ngettext_lazy("%(total_count)s selected", "All %(total_count)s selected", "n"),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "n"),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "n",
    ),
]
