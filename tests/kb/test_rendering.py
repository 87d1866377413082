"""Markdown rendering: tables of contents (Arabic too) and plain text for the index."""

from __future__ import annotations

from portal.kb.rendering import TocEntry, plain_text, render_markdown


def test_toc_keeps_arabic_headings_and_their_anchors() -> None:
    rendered = render_markdown(
        "# إعادة تعيين كلمة المرور\n\n## قبل أن تبدأ\n\ntext\n\n### الخطوة ١\n\n## قبل أن تبدأ\n"
    )

    assert rendered.toc == (
        TocEntry(1, "إعادة-تعيين-كلمة-المرور", "إعادة تعيين كلمة المرور"),
        TocEntry(2, "قبل-أن-تبدأ", "قبل أن تبدأ"),
        TocEntry(3, "الخطوة-١", "الخطوة ١"),
        TocEntry(2, "قبل-أن-تبدأ_1", "قبل أن تبدأ"),
    )
    assert '<h2 id="قبل-أن-تبدأ">قبل أن تبدأ</h2>' in rendered.html
    assert '<h2 id="قبل-أن-تبدأ_1">' in rendered.html


def test_toc_titles_are_plain_text() -> None:
    rendered = render_markdown("## Reset *your* <b>password</b> & more\n")

    assert rendered.toc == (TocEntry(2, "reset-your-password-more", "Reset your password & more"),)


def test_rendering_the_same_text_twice_gives_the_same_result() -> None:
    text = "# Cached\n\nSame text, same object.\n"

    assert render_markdown(text) is render_markdown(text)


def test_attribute_lists_are_not_enabled() -> None:
    html = render_markdown("## Heading {: onclick=alert(1) .admin }\n\nText{: style=x}\n").html

    # The braces stay visible text instead of becoming attributes.
    assert html == (
        '<h2 id="heading-onclickalert1-admin">Heading {: onclick=alert(1) .admin }</h2>\n'
        "<p>Text{: style=x}</p>"
    )


def test_plain_text_keeps_words_and_code_and_drops_markup_and_urls() -> None:
    text = plain_text(
        "# Reset your password ##\n\n"
        "**Open** _Settings_ and run `net user /domain` (see [the guide](https://x.example/a_b)).\n\n"
        "![Screenshot of the page](images/shot.png)\n\n"
        "Visit https://portal.example/reset?x=1 or <b>call</b> 1234 &amp; wait.\n\n"
        "```powershell\nGet-ADUser -Identity huda_saleh\n```\n\n"
        "| Error | Meaning |\n|---|:---:|\n| 0x8007007A | quota |\n\n"
        "> [!NOTE]\n> Keep snake_case_names.\n\n"
        "- item one\n1. step one\n\n"
        ':::image type="content" source="./media/x.png" alt-text="x":::\n'
        "<!-- hidden comment -->\n<script>var x = 1;</script>\n"
    )

    assert text == (
        "Reset your password. Open Settings and run net user /domain (see the guide). "
        "Visit or call 1234 & wait. Get-ADUser -Identity huda_saleh Error Meaning "
        "0x8007007A quota Keep snake_case_names. item one step one"
    )


def test_plain_text_handles_arabic() -> None:
    assert plain_text("## قبل أن تبدأ\n\n**تأكد** من [الاتصال](/kb/ar/vpn).") == (
        "قبل أن تبدأ. تأكد من الاتصال."
    )


def test_plain_text_keeps_emphasis_against_its_punctuation_and_ends_headings() -> None:
    """Snippets come from this text: no stray space where bold text was, no heading run-in."""
    text = plain_text(
        "## What you need\nSelect **Reset password**. Then <b>Next</b>, or `Esc`.\n"
        "### Why?\nاختر **كلمة المرور**، ثم <strong>التالي</strong>.\n"
    )
    assert text == (
        "What you need. Select Reset password. Then Next, or Esc. Why? اختر كلمة المرور، ثم التالي."
    )
