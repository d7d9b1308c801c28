"""The closed vocabulary of forms an item can take, and how a declared form meets a control's.

A form names what an item physically or chemically is (``oxide``, ``ingot``, ``magnet``,
``technology``). Every form has a place: the broader forms it is a kind of (an ``ingot`` is
``metal`` and ``solid``; an ``oxide`` is a ``compound``). So a declared form decides both ways:

- the item meets a control's forms when its form, or a broader form of it, is listed
  (``ingot`` meets ``metal``);
- the item is undecided when it declares a broader form than the control lists (``compound``
  under a control of ``oxide``: it may be one), or a form that does not say what the item is
  chemically (``powder`` under a control of ``oxide``);
- otherwise the form rules the control out (``magnet`` under a control of ``ore``).

Manifests and rule files may use only these forms and their synonyms; anything else is an error
with a suggestion, like an unknown mineral.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple


class Form(NamedTuple):
    """One form: its other spellings, the broader forms it is a kind of, what it means."""

    synonyms: tuple[str, ...]
    within: tuple[str, ...]
    meaning: str
    ambiguous: bool = False  # says nothing of the chemistry (a powder may be metal or oxide)
    kind: str = "material"  # material, product, technology or equipment


FORMS: dict[str, Form] = {
    # what an item is chemically
    "metal": Form(("metals", "unwrought metal", "elemental"), (), "the element as a metal"),
    "alloy": Form(("alloys",), (), "a metal mixed with other elements"),
    "compound": Form(("compounds", "chemical compound"), (), "a chemical compound of any kind"),
    "oxide": Form(("oxides", "trioxide", "dioxide"), ("compound",), "an oxide"),
    "hydroxide": Form(("hydroxides",), ("compound",), "a hydroxide"),
    "salt": Form(("salts", "chloride", "sulfate", "nitrate", "carbonate"), ("compound",), "a salt"),
    "carbide": Form(("carbides",), ("compound",), "a carbide"),
    "organic compound": Form(
        ("organometallic", "metal-organic"), ("compound",), "an organic or organometallic compound"
    ),
    "ore": Form(
        (
            "ores",
            "raw ore",
            "mineral ore",
            "unbeneficiated ore",
            "unbeneficiated",
            "run-of-mine ore",
            "crushed ore",
        ),
        ("raw material",),
        "ore as mined (crushed or not): unbeneficiated",
    ),
    "beneficiated ore": Form(
        ("beneficiated",),
        ("raw material",),
        "ore upgraded after mining (washed, sorted, concentrated), not yet refined",
    ),
    "concentrate": Form(
        ("concentrates", "ore concentrate"),
        ("beneficiated ore", "raw material"),
        "ore concentrated after mining (spodumene concentrate, copper concentrate)",
    ),
    "intermediate": Form(
        ("intermediates", "intermediate product", "mixed hydroxide precipitate", "MHP"),
        (),
        "a product of processing not yet refined metal or chemical (cobalt hydroxide, MHP)",
        ambiguous=True,
    ),
    "raw material": Form(
        ("raw materials",), (), "unprocessed material: ore or concentrate", ambiguous=True
    ),
    # shapes of a solid metal or alloy
    "solid": Form((), (), "a solid piece of any shape", ambiguous=True),
    "ingot": Form(("ingots",), ("metal", "solid"), "a cast ingot"),
    "block": Form(("blocks",), ("metal", "solid"), "a block"),
    "bar": Form(("bars",), ("metal", "solid"), "a bar"),
    "rod": Form(("rods",), ("metal", "solid"), "a rod"),
    "billet": Form(("billets",), ("metal", "solid"), "a billet"),
    "bead": Form(("beads",), ("metal", "solid"), "beads"),
    "granule": Form(("granules", "grain", "grains"), ("metal", "solid"), "granules"),
    "lump": Form(("lumps",), ("metal", "solid"), "lumps"),
    "sheet": Form(("sheets", "foil"), ("metal", "solid"), "a sheet or foil"),
    "plate": Form(("plates",), ("metal", "solid"), "a plate"),
    "wire": Form(("wires",), ("metal", "solid"), "wire"),
    "slab": Form(("slabs",), ("metal", "solid"), "a slab"),
    "tube": Form(("tubes", "pipe", "pipes"), ("metal", "solid"), "a tube"),
    "cathode": Form(
        ("cathodes", "cathode plate", "cathode sheet"),
        ("metal", "solid"),
        "an electrolytic cathode",
    ),
    "sponge": Form(("metal sponge",), ("metal",), "a metal sponge"),
    "scrap": Form(("waste and scrap", "turnings", "swarf"), ("metal",), "metal waste and scrap"),
    "pellet": Form(("pellets",), (), "pellets of any chemistry", ambiguous=True),
    "mixture": Form(("mixtures", "blend"), (), "a mixture of any kind", ambiguous=True),
    "casting": Form(("castings",), ("solid",), "a cast part", ambiguous=True),
    "machine part": Form(
        ("machined part", "part", "parts"), ("solid",), "a machined part", ambiguous=True
    ),
    # particles
    "powder": Form(("powders",), (), "a powder of any chemistry", ambiguous=True),
    "micropowder": Form(
        ("micro powder", "micron powder"), ("powder",), "a fine powder", ambiguous=True
    ),
    "particles": Form(("particle", "particulate"), ("powder",), "particles", ambiguous=True),
    "flake": Form(("flakes",), ("powder",), "flakes", ambiguous=True),
    # crystals and what is cut from them
    "crystal": Form(("crystals",), (), "a crystal of any kind", ambiguous=True),
    "single crystal": Form(
        ("monocrystal", "monocrystalline"), ("crystal",), "a single crystal", ambiguous=True
    ),
    "wafer": Form(
        ("wafers", "substrate"), ("crystal",), "a wafer sliced from a crystal", ambiguous=True
    ),
    "window": Form(("windows", "optical window"), (), "an optical window", kind="product"),
    "target": Form(("targets", "sputtering target"), (), "a sputtering target", kind="product"),
    # products
    "phosphor": Form(("phosphors", "luminescent material", "fluorescent powder"), (), "a phosphor"),
    "catalyst": Form(("catalysts", "fired catalyst", "catalyst powder"), (), "a catalyst"),
    "rotor": Form(("rotors", "rotor assembly"), (), "a motor rotor assembly", kind="product"),
    "stator": Form(("stators", "stator assembly"), (), "a motor stator assembly", kind="product"),
    "consumer product": Form(
        ("consumer goods", "consumer good", "finished product"),
        (),
        "a finished consumer product (with magnets inside, say)",
        kind="product",
    ),
    "magnet": Form(
        ("magnets", "permanent magnet"), (), "a permanent magnet or magnet material", kind="product"
    ),
    "anode material": Form(
        ("anode materials", "anode powder"), (), "battery anode material (not yet an anode)"
    ),
    "anode": Form(("anodes",), (), "a battery anode", kind="product"),
    "cathode material": Form(("cathode materials",), (), "battery cathode material"),
    "battery": Form(("batteries",), (), "a battery of any size", kind="product"),
    "cell": Form(("cells", "battery cell"), ("battery",), "a battery cell", kind="product"),
    "battery pack": Form(
        ("battery packs", "module"), ("battery",), "a battery pack or module", kind="product"
    ),
    # know-how and tools
    "technology": Form(
        ("technologies", "know-how"), (), "technology of any kind", kind="technology"
    ),
    "software": Form((), ("technology",), "software", kind="technology"),
    "drawings": Form(
        ("drawing", "blueprints"), ("technology",), "technical drawings", kind="technology"
    ),
    "process specification": Form(
        ("process specifications", "process documentation"),
        ("technology",),
        "a process spec",
        kind="technology",
    ),
    "equipment": Form(
        ("machine", "machines", "machinery"), (), "production equipment", kind="equipment"
    ),
    "grinding wheel": Form(
        ("grinding wheels",), ("equipment",), "a grinding wheel", kind="equipment"
    ),
    "wire saw": Form(("wire saws",), ("equipment",), "a wire saw", kind="equipment"),
}

_SPELLINGS: dict[str, str] = {}
for _name, _form in FORMS.items():
    for _spelling in (_name, *_form.synonyms):
        _SPELLINGS[" ".join(_spelling.casefold().split())] = _name


def canonical_form(text: str) -> str | None:
    """The vocabulary's name for ``text`` (a form or a synonym), or ``None``."""
    return _SPELLINGS.get(" ".join(text.casefold().replace("_", " ").split()))


def unknown_form(text: str) -> str:
    """The error for a form the vocabulary does not have, with the closest ones to use."""
    import difflib

    close = difflib.get_close_matches(text.casefold(), list(_SPELLINGS), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(_SPELLINGS[c]) for c in close)}?" if close else ""
    return (
        f"unknown form {text!r}: use a form of the vocabulary (mineralcheck schema manifest){hint}"
    )


@cache  # the vocabulary is closed: at most one entry per form
def broader(name: str) -> frozenset[str]:
    """``name`` and every form it is a kind of."""
    found = {name}
    pending = list(FORMS[name].within)
    while pending:
        form = pending.pop()
        if form not in found:
            found.add(form)
            pending.extend(FORMS[form].within)
    return frozenset(found)


class FormOutcome(NamedTuple):
    """How a declared form meets a control's forms; ``missing`` says what to declare."""

    meets: bool | None  # True meets, False rules out, None undecided
    missing: str = ""


def meet(declared: str, listed: tuple[str, ...]) -> FormOutcome:
    """Whether an item of form ``declared`` is of one of the ``listed`` forms."""
    lineage = broader(declared)
    if lineage.intersection(listed):
        return FormOutcome(True)
    narrower = [form for form in listed if declared in broader(form)]
    if narrower:
        return FormOutcome(
            None, f"form ({declared!r} may be {' or '.join(narrower)}: declare which)"
        )
    if FORMS[declared].ambiguous and any(FORMS[form].kind == "material" for form in listed):
        return FormOutcome(
            None,
            f"form ({declared!r} does not say whether it is {' or '.join(listed)}: declare which)",
        )
    return FormOutcome(False)


def markdown_table() -> str:
    """The vocabulary as the README's table (the README holds this text; a test compares)."""
    rows = ["| form | also written | is a kind of | what it is |", "| --- | --- | --- | --- |"]
    for name, form in FORMS.items():
        spellings = ", ".join(f"`{s}`" for s in form.synonyms) or "-"
        mark = " (says nothing of the chemistry)" if form.ambiguous else ""
        rows.append(
            f"| `{name}` | {spellings} | {', '.join(form.within) or '-'} | {form.meaning}{mark} |"
        )
    return "\n".join(rows)
