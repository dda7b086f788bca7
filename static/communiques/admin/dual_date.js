'use strict';
// Keep the date in both calendars beside each date input up to date while the press officer
// types. The server writes it (communiques.dates is the one conversion engine): this script only
// asks, after a pause in the typing, and shows the answer. While typing, a date not yet complete
// clears the display; once the input is left, the server's error is shown instead. Django's
// "Today" and calendar shortcuts set the value and focus the input without an input event, so
// focus is watched too.
window.addEventListener('DOMContentLoaded', function() {
    const PAUSE = 300;  // milliseconds

    document.querySelectorAll('output.dual-date[data-lookup-url]').forEach(function(output) {
        const input = document.getElementById(output.htmlFor.value);
        if (!input) {
            return;
        }
        const answers = new Map();  // typed value -> {display} or {error}
        let pending = null;  // {value, controller} of the request under way
        let reportErrors = false;
        let timer = null;

        const show = function(answer, withError) {
            const isError = Boolean(answer.error);
            output.textContent = isError ? (withError ? answer.error : '') : answer.display;
            output.classList.toggle('dual-date-error', isError);
        };

        const ask = function(finished) {
            const value = input.value.trim();
            if (pending && pending.value !== value) {
                pending.controller.abort();
                pending = null;
            }
            if (!value) {
                show({display: ''}, false);
                return;
            }
            if (answers.has(value)) {
                show(answers.get(value), finished);
                return;
            }
            reportErrors = finished || (pending !== null && reportErrors);
            if (pending) {
                return;  // the same value is already asked
            }
            const controller = new AbortController();
            pending = {value: value, controller: controller};
            const url = output.dataset.lookupUrl + '?' + new URLSearchParams({value: value});
            fetch(url, {headers: {Accept: 'application/json'}, signal: controller.signal})
                .then((response) => response.json())
                .then(function(answer) {
                    answers.set(value, answer);
                    pending = null;
                    if (value === input.value.trim()) {
                        show(answer, reportErrors);
                    }
                })
                .catch(function(error) {
                    if (pending && pending.controller === controller) {
                        pending = null;
                    }
                    if (error.name !== 'AbortError') {
                        show({display: ''}, false);
                    }
                });
        };

        input.addEventListener('input', function() {
            clearTimeout(timer);
            timer = setTimeout(() => ask(false), PAUSE);
        });
        input.addEventListener('change', function() {
            clearTimeout(timer);
            ask(true);
        });
        input.addEventListener('focus', () => ask(false));
    });
});
