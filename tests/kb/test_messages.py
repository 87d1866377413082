"""Ticket messages: the article allow-list, but no image is ever fetched inline."""

from __future__ import annotations

from portal.kb.rendering import render_message


def test_markdown_image_becomes_a_link() -> None:
    html = render_message("See ![my screen](https://tracker.example/pixel.png) please")
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html
    assert ">my screen</a>" in html
    assert 'rel="noopener noreferrer"' in html


def test_raw_html_image_becomes_a_link_and_scripts_stay_out() -> None:
    html = render_message(
        '<img src="https://x.example/a.png" onerror="alert(1)"><script>x</script>'
    )
    assert "<img" not in html
    assert "onerror" not in html
    assert "<script" not in html
    assert 'href="https://x.example/a.png"' in html


def test_dangerous_image_url_is_neither_loaded_nor_linked() -> None:
    html = render_message("![x](javascript:alert(1))")
    assert "javascript:" not in html
    assert "<img" not in html


def test_links_and_formatting_survive() -> None:
    html = render_message("**Steps** in [the article](/kb/ar/reset-password)")
    assert "<strong>Steps</strong>" in html
    assert 'href="/kb/ar/reset-password"' in html
