/*global URLify*/
'use strict';
// Fill an empty slug from the first of its source fields that has text (the English title,
// else the French one). Django's prepopulated_fields joins every source instead. Like Django's,
// it leaves a slug alone once it has a value on load or has been edited by hand.
window.addEventListener('DOMContentLoaded', function() {
    document.querySelectorAll('input[data-slug-sources]').forEach(function(slug) {
        if (slug.value) {
            return;
        }
        const sources = JSON.parse(slug.dataset.slugSources)
            .map((id) => document.getElementById(id))
            .filter(Boolean);
        let editedByHand = false;
        slug.addEventListener('change', function() {
            editedByHand = true;
        });
        const populate = function() {
            if (editedByHand) {
                return;
            }
            const source = sources.find((field) => field.value.trim());
            slug.value = source ? URLify(source.value, slug.maxLength, false) : '';
        };
        sources.forEach(function(field) {
            field.addEventListener('input', populate);
            field.addEventListener('change', populate);
        });
    });
});
