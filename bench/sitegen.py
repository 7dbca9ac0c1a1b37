"""A deterministic generated Hugo site: N posts of about 800 words and a minimal Hugo layout.

Posts are `content/posts/post-NNNNN.md` with YAML front matter (title, date, 2-4 tags, one
category) and a body of an intro paragraph and 3-5 `##` sections, with emphasis, inline
code, links and a list here and there. Words follow a Zipf law over a vocabulary of common
English words, topic words and made-up words, so full-text search meets common and rare
terms as on a real site. The same seed and count always give the same bytes.
"""

from __future__ import annotations

import array
import itertools
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20231103


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words("""the of and to in a is that for it as with was on be by this are from at or
an have not they which one you were all we her she there would their will when who him been
has more if no out do so can what up said about other into than its time only could new them
man some these then two first may any like now my such make over our even most me state after
also made many did must before back see through way where get much go well your know should
down work year because come people just say each those take day good how long little use very
great still own public last never under might while world part""")
TOPIC = _words("""image images model models diffusion prompt camera light color colour photo
pixel render style artist design network training dataset noise texture shadow portrait
landscape filter lens focus exposure contrast canvas brush sketch generator latent vector
sample detail resolution upscale palette studio gallery print frame scene composition""")
SYLLABLES = _words("ka lo mi ne ru ta vo shi pe da zan tor ell ix qua bri mon fel gar ost")
TAGS = ["AI", "Photography", "Diffusion", "Design", "Tutorial", "Color", "Light",
        "Dream Studio", "Midjourney", "DALL-E", "Prompts", "Portraits", "Landscapes",
        "Printing", "Gallery", "Workflow", "Hardware", "Lenses", "Editing", "Review"] + [
    f"Topic {n}" for n in range(1, 41)]
CATEGORIES = ["Notes", "Guides", "News", "Essays"]
TABLE_SIZE = 1 << 18
BODY_WORDS = 680  # the last paragraph of a section overshoots: about 800 words a post


def vocabulary() -> list[str]:
    """Common words first (the most frequent), then topic words, then made-up words."""
    made_up = ["".join(parts) for parts in itertools.product(SYLLABLES, repeat=3)]
    return COMMON + TOPIC + made_up


class Writer:
    """Random Markdown; post n is drawn from its own generator seeded with (seed, n)."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.words = vocabulary()
        # A lookup table in which each word fills slots in proportion to 1/rank (Zipf):
        # drawing a word is one random index, not a bisection.
        total = sum(1.0 / (rank + 1) for rank in range(len(self.words)))
        self.table = [word for rank, word in enumerate(self.words)
                      for _ in range(max(1, round(TABLE_SIZE / (rank + 1) / total)))]
        self.tag_cum = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8
                                                 for rank in range(len(TAGS))))
        self.stream: list[str] = []

    def draw(self, count: int) -> list[str]:
        """count words, Zipf-distributed."""
        size, table = len(self.table), self.table
        return [table[i % size] for i in array.array("I", self.rng.randbytes(4 * count))]

    def take(self, count: int) -> list[str]:
        """The next count words of this post's stream."""
        taken, self.stream = self.stream[:count], self.stream[count:]
        return taken or ["word"]

    def sentence(self) -> tuple[str, int]:
        """A sentence with now and then some inline markup; and its word count."""
        words = self.take(self.rng.randint(8, 20))
        roll = self.rng.random()
        at = self.rng.randrange(len(words))
        if roll < 0.15:
            words[at] = f"**{words[at]}**"
        elif roll < 0.25:
            words[at] = f"*{words[at]}*"
        elif roll < 0.30:
            words[at] = f"`{words[at]}`"
        elif roll < 0.35:
            words[at] = f"[{words[at]}](https://example.com/{words[at]})"
        return " ".join(words).capitalize() + ".", len(words)

    def paragraph(self) -> tuple[str, int]:
        """3-6 sentences."""
        parts = [self.sentence() for _ in range(self.rng.randint(3, 6))]
        return " ".join(p[0] for p in parts), sum(p[1] for p in parts)

    def body(self, target_words: int = BODY_WORDS) -> str:
        """An intro paragraph, then 3-5 sections; about target_words words."""
        self.stream = self.draw(target_words + 300)
        blocks: list[str] = []
        text, words = self.paragraph()
        blocks.append(text)
        sections = self.rng.randint(3, 5)
        per_section = (target_words - words) // sections
        for number in range(sections):
            heading = self.take(self.rng.randint(2, 5))
            blocks.append("## " + " ".join(heading).title())
            written = len(heading)
            if number == 1:
                items = [" ".join(self.take(self.rng.randint(3, 8))) for _ in range(4)]
                blocks.append("\n".join(f"- {item}" for item in items))
                written += sum(len(item.split()) for item in items)
            while written < per_section:
                text, words = self.paragraph()
                blocks.append(text)
                written += words
        return "\n\n".join(blocks) + "\n"

    def post(self, number: int) -> str:
        """A whole file: front matter and body."""
        self.rng = random.Random(self.seed * 1_000_003 + number)
        title = " ".join(self.draw(self.rng.randint(3, 7))).title() + f" {number}"
        date = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(
            hours=8 * number, minutes=self.rng.randrange(480))
        tags: list[str] = []
        wanted = self.rng.randint(2, 4)
        while len(tags) < wanted:
            tag = self.rng.choices(TAGS, cum_weights=self.tag_cum)[0]
            if tag not in tags:
                tags.append(tag)
        quoted = ", ".join(f'"{t}"' for t in tags)
        return (f'---\ntitle: "{title}"\ndate: {date:%Y-%m-%dT%H:%M:%SZ}\ntags: [{quoted}]\n'
                f'categories: ["{self.rng.choice(CATEGORIES)}"]\n---\n\n{self.body()}')


def post_path(site: Path, number: int) -> Path:
    """Where post number lives."""
    return site / "content" / "posts" / f"post-{number:05d}.md"


def post_url(number: int) -> str:
    """The URL of post number (Hugo's rule for a single file in a section)."""
    return f"/posts/post-{number:05d}/"


def generate(site: Path, count: int, seed: int = SEED) -> int:
    """Write count posts under site/content (replacing what was there); returns bytes."""
    shutil.rmtree(site / "content", ignore_errors=True)
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    writer = Writer(seed)
    total = 0
    for number in range(1, count + 1):
        data = writer.post(number).encode()
        post_path(site, number).write_bytes(data)
        total += len(data)
    return total


HUGO_TOML = """baseURL = "http://127.0.0.1/"
title = "bench"
disableKinds = ["rss", "sitemap", "robotstxt", "404"]
[taxonomies]
  tag = "tags"
  category = "categories"
"""
LAYOUTS = {
    "baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
                   "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n",
    "list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n",
}


def write_hugo_site(site: Path) -> None:
    """hugo.toml and a layout that outputs title and content, nothing else."""
    (site / "hugo.toml").write_text(HUGO_TOML)
    layouts = site / "layouts"
    shutil.rmtree(layouts, ignore_errors=True)
    layouts.mkdir(parents=True)
    for name, text in LAYOUTS.items():
        (layouts / name).write_text(text)


def touch_post(site: Path, number: int, note: str) -> None:
    """Change one post: a paragraph appended."""
    path = post_path(site, number)
    path.write_text(path.read_text() + f"\nEdited for the benchmark: {note}.\n")


def search_words() -> list[str]:
    """Queries for the search benchmark: frequent, topical, rare and two-word."""
    made_up = vocabulary()[len(COMMON) + len(TOPIC):]
    return ["image", "light", "diffusion model", "camera", "palette", made_up[40],
            made_up[900], "world people", "texture shadow", "render"]
