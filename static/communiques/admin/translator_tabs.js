/*global django*/
'use strict';
// Open a translator's own language in every tab group of the communiqué's change form.
//
// modeltranslation opens the tab of the admin's language, which a translator may only read.
// Their languages come first in each group (ReadableTranslationsMixin), and its language switch
// lists only editable languages: choosing its first entry opens the translator's language
// everywhere. Run as a ready handler registered after modeltranslation's, which builds the tabs.
(window.jQuery || django.jQuery)(function($) {
    const readOnly = document.querySelector('.readable-text');
    const editable = document.querySelector('#content-main .mt:is(input, textarea, select)');
    const languageSwitch = $('#modeltranslation-main-switch');
    // Editors edit every language, and read-only viewers have nothing to open.
    if (!readOnly || !editable || !languageSwitch.find('option').length) {
        return;
    }
    languageSwitch.val('0').trigger('change');
});
