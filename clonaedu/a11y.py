"""What makes the course usable with a screen reader and a keyboard, in JupyterLab and Voila.

Imports nothing from clonaedu (any layer may use it: the panels, and ``data.references``,
which every notebook shows at its end, so pages without a panel get the same CSS and script).

ipywidgets 8 has no way to set an ``alt`` on an ``Image`` widget or an ARIA attribute on any
widget's element, and its sliders (noUiSlider) give the focusable handle (``role="slider"``)
no accessible name: the visible description is a ``<label>`` that labels nothing. So every
panel carries one hidden HTML widget (:func:`support_widget`), and every notebook's reference
list the same block (:func:`support_html`), holding

* :data:`CSS`: visually hidden text for screen readers (``.clonaedu-sr-only``), underlined
  links in the notebook's text (WCAG 1.4.1: links must not differ from text by colour alone;
  JupyterLab's default link colour is 3:1 against body text at best), and a visible focus ring;
* :data:`SCRIPT`: a few lines run once per page (JupyterLab or Voila, never fetched from
  anywhere) that keep, for every panel and whenever the page changes,
  - the figure's ``alt`` equal to the panel's description (``.clonaedu-alt``, which the kernel
    updates on every render, so the alt follows the panel's state), that description hidden
    from screen readers (it would otherwise be read twice);
  - each slider handle ``aria-labelledby`` its visible description;
  - the message under the figure a polite live region (``role="status"``), so a change is
    announced;
  - in the app view (Voila's page has no landmark), the notebook's content the page's ``main``
    landmark, so a screen reader can jump to it.

Without the script (an old saved output, a page that runs no script) the description still
sits right under the figure as visually hidden text, so a screen reader reads it there.
The script is started by an image that fails to load (``src="data:,"``): an HTML widget sets
its content with ``innerHTML``, which never runs a ``<script>`` element but does run an
``onerror`` handler. It is idempotent and installs one MutationObserver per page.
"""

from __future__ import annotations

import html

#: class names the script and the tests look for
FIGURE_CLASS = "clonaedu-figure"
ALT_CLASS = "clonaedu-alt"
MESSAGE_CLASS = "clonaedu-message"

CSS = """
.clonaedu-sr-only, .clonaedu-alt {
  position: absolute !important; width: 1px !important; height: 1px !important;
  padding: 0 !important; margin: -1px !important; overflow: hidden !important;
  clip: rect(0, 0, 0, 0) !important; white-space: nowrap !important; border: 0 !important;
}
.jp-RenderedMarkdown a:not(.jp-InternalAnchorLink), .jp-RenderedHTMLCommon p a,
.jp-RenderedHTMLCommon li a, .jp-RenderedHTMLCommon td a {
  text-decoration: underline;
}
.clonaedu-panel .noUi-handle:focus-visible, .clonaedu-panel button:focus-visible,
.clonaedu-panel select:focus-visible, .clonaedu-panel input:focus-visible {
  outline: 3px solid #1a4fa3; outline-offset: 2px;
}
""".strip()

SCRIPT = r"""
(function () {
  if (window.__clonaeduA11y) { window.__clonaeduA11y(); return; }
  var next = 0, queued = false;
  function id(el) { if (!el.id) { el.id = 'clonaedu-a11y-' + (++next); } return el.id; }
  function fix() {
    queued = false;
    if (!document.querySelector('main, [role="main"]')) {
      var content = document.querySelector('#rendered_cells') || document.querySelector('.jp-Notebook:not(body)');
      if (content) { content.setAttribute('role', 'main'); }
    }
    document.querySelectorAll('.widget-slider').forEach(function (slider) {
      var label = slider.querySelector(':scope > .widget-label');
      if (!label || !label.textContent.trim()) { return; }
      slider.querySelectorAll('.noUi-handle').forEach(function (handle) {
        if (handle.getAttribute('aria-labelledby') !== id(label)) {
          handle.setAttribute('aria-labelledby', id(label));
        }
      });
    });
    document.querySelectorAll('.clonaedu-panel').forEach(function (panel) {
      var img = panel.querySelector(':scope > img.clonaedu-figure');
      var alt = panel.querySelector(':scope > .clonaedu-alt');
      if (img && alt) {
        var text = alt.textContent.trim();
        if (img.getAttribute('alt') !== text) { img.setAttribute('alt', text); }
        if (alt.getAttribute('aria-hidden') !== 'true') { alt.setAttribute('aria-hidden', 'true'); }
      }
      var message = panel.querySelector(':scope > .clonaedu-message');
      if (message && message.getAttribute('aria-live') !== 'polite') {
        message.setAttribute('role', 'status');
        message.setAttribute('aria-live', 'polite');
      }
    });
  }
  function soon() { if (!queued) { queued = true; window.requestAnimationFrame(fix); } }
  window.__clonaeduA11y = fix;
  fix();
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true, characterData: true});
})();
""".strip()


def support_html(css: str = "") -> str:
    """The hidden block every panel carries: the accessibility CSS (plus ``css``) and the
    image that starts :data:`SCRIPT`."""
    handler = html.escape(" ".join(line.strip() for line in SCRIPT.splitlines()), quote=True)
    style = CSS + ("\n" + css if css else "")
    return (f"<style>{style}</style>"
            f'<img src="data:," alt="" hidden aria-hidden="true" onerror="{handler}">')


def support_widget(css: str = ""):
    """A hidden ``ipywidgets.HTML`` holding :func:`support_html`."""
    import ipywidgets as widgets

    return widgets.HTML(support_html(css), layout=widgets.Layout(display="none"))


def alt_html(text: str) -> str:
    """The panel's description, as the content of its ``.clonaedu-alt`` widget."""
    return f"<p>Figure: {html.escape(text)}</p>"


def img_tag(png_b64: str, alt: str, max_width: str = "100%") -> str:
    """A static ``<img>`` with alt text, for saved outputs (JupyterLab, Voila, nbconvert)."""
    return (f'<img src="data:image/png;base64,{png_b64}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:{max_width}; width:100%; height:auto">')
