"""Unit tests for the Blowfish ``carousel`` shortcode renderer."""

from __future__ import annotations

import html
import re

import pytest

from app.content.shortcodes import Shortcode, parse
from app.render.shortcodes.carousel import glob_to_regex, render_carousel
from app.render.shortcodes.registry import PageFile, ShortcodeContext, get_renderer

PAGE = "/posts/ai/"


def page_file(path: str, width: int | None = 1024, height: int | None = 576) -> PageFile:
    ext = path.rsplit(".", 1)[-1].lower()
    media = {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
    }.get(ext, "text/plain")
    return PageFile(path=path, url=PAGE + path, media_type=media, width=width, height=height)


BUNDLE = [
    page_file("gallery/dreamstudio1.png"),
    page_file("gallery/dreamstudio2.png"),
    page_file("gallery/dreamstudio3.png"),
    page_file("gallery/dreamstudio4.png"),
    page_file("gallery/bing-Dall-E1.jpg"),
    page_file("gallery/bing-Dall-E2.jpg"),
    page_file("gallery/notes.txt"),
    page_file("gallery/sub/deep.png"),
    page_file("cover.png", 800, 600),
]


def markdownify(text: str) -> str:
    """A tiny stand-in: escapes, turns **x** into <strong>, wraps in <p>."""
    body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=False))
    return f"<p>{body}</p>\n"


def make_ctx(files=BUNDLE, ordinal: int = 0) -> tuple[ShortcodeContext, list[str]]:
    warnings: list[str] = []
    ctx = ShortcodeContext(
        files=list(files),
        params={},
        page_url=PAGE,
        ordinal=ordinal,
        inner=None,
        markdownify=markdownify,
        warn=warnings.append,
    )
    return ctx, warnings


def make_sc(*args: str, **kwargs: str) -> Shortcode:
    return Shortcode(
        name="carousel",
        args=list(args),
        kwargs=dict(kwargs),
        markdown=False,
        inner=None,
        line=1,
        raw="{{< carousel >}}",
    )


def render(files=BUNDLE, ordinal: int = 0, *args: str, **kwargs: str) -> tuple[str, list[str]]:
    ctx, warnings = make_ctx(files, ordinal)
    return render_carousel(make_sc(*args, **kwargs), ctx), warnings


def srcs(out: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)"', out)


def test_registered_under_carousel():
    assert get_renderer("carousel") is render_carousel
    assert get_renderer("Carousel") is render_carousel


def test_brace_list_keeps_listed_order():
    out, warnings = render(
        images="{gallery/dreamstudio3.png,gallery/dreamstudio1.png,gallery/bing-Dall-E2.jpg}"
    )
    assert srcs(out) == [
        PAGE + "gallery/dreamstudio3.png",
        PAGE + "gallery/dreamstudio1.png",
        PAGE + "gallery/bing-Dall-E2.jpg",
    ]
    assert warnings == []
    assert 'aria-label="1 of 3"' in out
    assert 'aria-label="3 of 3"' in out


def test_seed_call_through_the_parser():
    source = (
        '{{< carousel images="{gallery/dreamstudio1.png,gallery/dreamstudio2.png,'
        'gallery/dreamstudio3.png,gallery/dreamstudio4.png}" interval="2500" >}}'
    )
    (sc,) = parse(source)
    ctx, warnings = make_ctx()
    out = render_carousel(sc, ctx)
    assert srcs(out) == [PAGE + f"gallery/dreamstudio{i}.png" for i in range(1, 5)]
    assert 'data-interval="2500"' in out
    assert warnings == []


def test_glob_star_matches_images_in_bundle_order_only():
    out, warnings = render(images="gallery/*")
    assert srcs(out) == [
        PAGE + "gallery/dreamstudio1.png",
        PAGE + "gallery/dreamstudio2.png",
        PAGE + "gallery/dreamstudio3.png",
        PAGE + "gallery/dreamstudio4.png",
        PAGE + "gallery/bing-Dall-E1.jpg",
        PAGE + "gallery/bing-Dall-E2.jpg",
    ]  # notes.txt is not an image; * does not cross into gallery/sub/
    assert warnings == []


def test_glob_prefix_and_double_star():
    out, _ = render(images="gallery/dream*")
    assert len(srcs(out)) == 4
    out, _ = render(images="**.png")
    assert PAGE + "gallery/sub/deep.png" in srcs(out)
    assert PAGE + "cover.png" in srcs(out)
    assert not any(s.endswith(".jpg") for s in srcs(out))


def test_glob_alternatives_and_classes():
    regex = glob_to_regex("gallery/{dreamstudio1,bing-dall-e2}.*")
    assert regex is not None
    assert regex.fullmatch("gallery/dreamstudio1.png")
    assert regex.fullmatch("gallery/bing-dall-e2.jpg")
    assert not regex.fullmatch("gallery/dreamstudio2.png")
    regex = glob_to_regex("gallery/dreamstudio[13].png")
    assert regex is not None
    assert regex.fullmatch("gallery/dreamstudio3.png")
    assert not regex.fullmatch("gallery/dreamstudio2.png")
    assert glob_to_regex("gallery/{a") is None


def test_list_items_are_globs_too_and_all_matches_are_appended():
    out, _ = render(images="{gallery/bing-*,gallery/dreamstudio1.png}")
    assert srcs(out) == [
        PAGE + "gallery/bing-Dall-E1.jpg",
        PAGE + "gallery/bing-Dall-E2.jpg",
        PAGE + "gallery/dreamstudio1.png",
    ]


def test_match_is_case_insensitive():
    out, warnings = render(images="{GALLERY/BING-*,gallery/DreamStudio2.PNG}")
    assert srcs(out) == [
        PAGE + "gallery/bing-Dall-E1.jpg",
        PAGE + "gallery/bing-Dall-E2.jpg",
        PAGE + "gallery/dreamstudio2.png",
    ]
    assert warnings == []


def test_space_after_comma_drops_the_item_with_a_warning():
    out, warnings = render(images="{gallery/dreamstudio1.png, gallery/dreamstudio2.png}")
    assert srcs(out) == [PAGE + "gallery/dreamstudio1.png"]
    assert len(warnings) == 1
    assert "' gallery/dreamstudio2.png'" in warnings[0]
    assert "space" in warnings[0]


def test_unmatched_items_dropped_with_one_warning_each():
    out, warnings = render(images="{gallery/missing.png,gallery/dreamstudio2.png,nope/*}")
    assert srcs(out) == [PAGE + "gallery/dreamstudio2.png"]
    assert len(warnings) == 2
    assert "gallery/missing.png" in warnings[0]
    assert "nope/*" in warnings[1]


def test_remote_images_are_not_fetched():
    out, warnings = render(images="{https://example.com/a.png,gallery/dreamstudio1.png}")
    assert srcs(out) == [PAGE + "gallery/dreamstudio1.png"]
    assert "example.com" not in out
    assert any("remote" in w for w in warnings)


def test_zero_images_renders_nothing_and_warns():
    out, warnings = render(images="{gallery/none.png}")
    assert out == ""
    assert any("nothing rendered" in w for w in warnings)


def test_positional_only_call_renders_nothing_and_warns():
    out, warnings = render(BUNDLE, 0, "gallery/*")
    assert out == ""
    assert len(warnings) == 1
    assert "positional" in warnings[0]


def test_missing_images_parameter_warns():
    out, warnings = render(interval="100")
    assert out == ""
    assert warnings


def test_defaults():
    out, warnings = render(images="gallery/dream*")
    assert 'data-interval="2000"' in out
    assert "aspect-ratio: 16 / 9" in out
    assert warnings == []


def test_overrides():
    out, warnings = render(images="gallery/dream*", interval="2500", aspectRatio="4-3")
    assert 'data-interval="2500"' in out
    assert "aspect-ratio: 4 / 3" in out
    assert warnings == []


@pytest.mark.parametrize("value", ["fast", "-5", "0", "1.5", ""])
def test_bad_interval_falls_back_with_warning(value):
    out, warnings = render(images="gallery/dream*", interval=value)
    assert 'data-interval="2000"' in out
    assert len(warnings) == 1
    assert "interval" in warnings[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21-9", "21 / 9"),
        ("1-1", "1 / 1"),
        ("-3", "16 / 3"),
        ("4", "4 / 9"),
        ("2.39-1", "2.39 / 1"),
    ],
)
def test_aspect_ratio_parts_default_separately(value, expected):
    out, warnings = render(images="gallery/dream*", aspectRatio=value)
    assert f"aspect-ratio: {expected}" in out
    assert warnings == []


@pytest.mark.parametrize("value", ["wide", "16-9-1", "0-1", '16"-9', "16-9;color:red"])
def test_bad_aspect_ratio_falls_back_with_warning(value):
    out, warnings = render(images="gallery/dream*", aspectRatio=value)
    assert "aspect-ratio: 16 / 9" in out
    assert len(warnings) == 1


def test_ordinal_sets_ids():
    out, _ = render(BUNDLE, 2, images="gallery/dream*")
    assert 'id="carousel-3"' in out
    assert 'id="carousel-3-1"' in out
    assert 'href="#carousel-3-4"' in out
    assert 'aria-controls="carousel-3"' in out


def test_markup_structure():
    out, _ = render(images="gallery/dream*", interval="2500")
    root = re.match(r"<div ([^>]*)>", out)
    assert root is not None
    assert 'class="carousel"' in root.group(1)
    assert 'role="region"' in root.group(1)
    assert 'aria-roledescription="carousel"' in root.group(1)
    assert out.count('class="carousel-slide"') == 4
    assert 'class="carousel-viewport" tabindex="0"' in out
    assert out.count("<li><a ") == 4
    assert out.count('aria-current="true"') == 1
    assert 'alt="carousel image 1"' in out
    assert 'alt="carousel image 4"' in out
    # buttons exist but stay hidden until the script enables them
    for cls in ("carousel-prev", "carousel-next", "carousel-toggle"):
        button = re.search(rf'<button [^>]*class="{cls}"[^>]*>', out)
        assert button is not None
        assert " hidden" in button.group(0)
    # the first image loads eagerly, the rest lazily
    imgs = re.findall(r"<img [^>]*>", out)
    assert 'loading="lazy"' not in imgs[0]
    assert all('loading="lazy"' in img for img in imgs[1:])
    assert "<script" not in out
    assert out.count("<div") == out.count("</div>")
    assert out.count("<figure") == out.count("</figure>")


def test_single_image_has_no_controls():
    out, _ = render(images="cover.png")
    assert out.count('class="carousel-slide"') == 1
    assert "carousel-controls" not in out


def test_width_and_height_emitted_when_known():
    files = [page_file("a.png", 1024, 576), page_file("b.png", None, None)]
    out, _ = render(files, 0, images="{a.png,b.png}")
    imgs = re.findall(r"<img [^>]*>", out)
    assert 'width="1024" height="576"' in imgs[0]
    assert "width=" not in imgs[1]
    assert "height=" not in imgs[1]


def test_captions():
    out, warnings = render(
        images="gallery/dream*",
        captions=(
            "{gallery/dreamstudio1.png:First **bold**,"
            " dreamstudio2.png : Time: 10:30 ,"
            f"{PAGE}gallery/dreamstudio3.png:By URL}}"
        ),
    )
    captions = re.findall(r'<figcaption class="carousel-caption">(.*?)</figcaption>', out)
    assert captions == ["First <strong>bold</strong>", "Time: 10:30", "By URL"]
    assert warnings == []
    # the outer <p> from markdownify is removed
    assert '<figcaption class="carousel-caption"><p>' not in out
    # slide 4 has no caption
    slide4 = out.split('id="carousel-1-4"')[1].split("</figure>")[0]
    assert "figcaption" not in slide4


def test_caption_keys_are_exact_and_entries_without_colon_ignored():
    out, _ = render(images="gallery/dream*", captions="{DreamStudio1.png:no,junk}")
    assert "figcaption" not in out


def test_multi_paragraph_caption_keeps_its_paragraphs():
    ctx, _ = make_ctx()
    ctx.markdownify = lambda text: "<p>one</p>\n<p>two</p>\n"
    out = render_carousel(
        make_sc(images="gallery/dreamstudio1.png", captions="{dreamstudio1.png:x}"), ctx
    )
    assert '<figcaption class="carousel-caption"><p>one</p>\n<p>two</p></figcaption>' in out


def test_hostile_file_names_and_captions_are_escaped():
    evil = 'x" onload="alert(1)".png'
    files = [
        PageFile(path=evil, url='/p/x"><script>alert(1)</script>.png', media_type="image/png"),
        page_file("b.png"),
    ]
    out, _ = render(
        files,
        0,
        images="{x*,b.png}",
        captions="{b.png:<img src=x onerror=alert(1)> & more}",
    )
    assert "<script>" not in out
    assert "onerror=alert(1)>" not in out
    assert 'src="/p/x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.png"' in out
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in out
    # every attribute value is closed properly: no stray quotes break the tag
    for tag in re.findall(r"<img [^>]*>", out):
        assert tag.count('"') % 2 == 0


def test_hostile_interval_and_aspect_are_not_echoed():
    out, warnings = render(
        images="b.png",
        files=[page_file("b.png")],
        interval='1" onmouseover="alert(1)',
        aspectRatio='16-9" onmouseover="alert(1)',
    )
    assert "onmouseover" not in out
    assert len(warnings) == 2
