'use strict';
// The body's rich-text editor (communiques/forms.py, BodyEditorWidget) writes into an editable
// area of its own, beside the textarea it hides. Two things it is taught here, once it is ready:
//
// - The admin gives the textarea the lang and dir of its field's language; the editable area
//   takes them over, so that Dari and Pashto are typed right to left, and spell-checked in their
//   language, whatever the language of the admin. The toolbar stays in the admin's direction,
//   like the rest of its interface.
// - A date token, [[2019-06-25|long]], is Latin text: inside a right-to-left paragraph the
//   Unicode bidirectional algorithm would show it as "[[long|25-06-2019]]". Each token is shown
//   isolated, left to right, and marked as one. Only the display changes: decorations are not
//   part of the document, and the token is saved exactly as typed.
//
// A classic script: it runs while the page is parsed, before the editor's modules, which are
// deferred, so no editor is ready before this listens.

// What communiques/text.py reads as a token: two brackets, no bracket inside, two brackets. Like
// the server, a token counts only within one run of text: one half bold is not one.
const DATE_TOKEN = /\[\[[^[\]]*\]\]/g;

function dateTokenPlugin(pm) {
    const { Plugin } = pm.state;
    const { Decoration, DecorationSet } = pm.view;

    const decorate = function(doc) {
        const decorations = [];
        doc.descendants(function(node, position) {
            if (!node.isText) {
                return;
            }
            for (const match of node.text.matchAll(DATE_TOKEN)) {
                const from = position + match.index;
                decorations.push(Decoration.inline(
                    from, from + match[0].length, {dir: 'ltr', class: 'date-token'}
                ));
            }
        });
        return DecorationSet.create(doc, decorations);
    };

    return new Plugin({
        state: {
            init: (_config, state) => decorate(state.doc),
            apply: (transaction, decorations) => (
                transaction.docChanged ? decorate(transaction.doc) : decorations
            ),
        },
        props: {
            decorations(state) {
                return this.getState(state);
            },
        },
    });
}

document.addEventListener('prose-editor:ready', async function(event) {
    const { editor, textarea } = event.detail;
    for (const name of ['lang', 'dir']) {
        const value = textarea.getAttribute(name);
        if (value) {
            editor.view.dom.setAttribute(name, value);
        }
    }
    // The module is already loaded, through the page's import map: this only reaches it.
    const { pm } = await import('django-prose-editor/editor');
    if (!editor.isDestroyed) {
        editor.registerPlugin(dateTokenPlugin(pm));
    }
});
