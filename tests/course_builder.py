"""Writes small, valid course folders for tests and benchmarks."""

from pathlib import Path

STANDARDS_YAML = """\
UDHR:
  title: Universal Declaration of Human Rights
  kind: declaration
  articles:
    "1": Free and equal in dignity and rights
    "26": Right to education
ICCPR:
  title: International Covenant on Civil and Political Rights
  kind: treaty
  articles:
    "7": Prohibition of torture
    "14": Fair trial
CAT:
  title: Convention against Torture
  kind: treaty
  articles:
    "15": Exclusion of statements obtained by torture
"""

QUIZ = """\
:::quiz pass=70 attempts={attempts}{shuffle}

### Which article excludes statements obtained by torture? {{#{prefix}-single}}
- [ ] Article 3
  > Article 3 is about non-refoulement.
- [x] Article 15
  > Right: the exclusionary rule.
- [ ] Article 10
Explanation: CAT Article 15 is the exclusionary rule.
Standards: CAT-15

### Which rights are guaranteed by ICCPR Article 14? {{#{prefix}-multiple multiple}}
- [x] A public hearing
- [x] The presumption of innocence
- [ ] A jury trial in every case
  > Article 14 does not require a jury.
Explanation: ICCPR Article 14(1) and 14(2).
Standards: ICCPR-14

### Torture may be justified in an emergency. {{#{prefix}-truefalse}}
- [ ] True
  > No: the prohibition is absolute.
- [x] False
Explanation: ICCPR Article 7 allows no exception.
Standards: ICCPR-7

### Which UDHR article is about education? Give the number. {{#{prefix}-short}}
Accept: 26
Accept: Article 26
Explanation: UDHR Article 26.
Standards: UDHR-26

## The confession {{#{prefix}-case}}
A suspect's signed confession arrives after two days without sleep.

### What should the judge do first? {{#{prefix}-case-first}}
- [x] Examine how the statement was obtained
- [ ] Admit it because it is signed
  > A signature proves nothing about how the statement was obtained.
Explanation: CAT Article 15.
Standards: CAT-15
:::
"""


def module_text(number: int, *, title: str | None = None, with_quiz: bool = True, attempts: int = 3,
                shuffle: bool = False, body_words: int = 60, prefix: str | None = None) -> str:
    prefix = prefix or f"m{number}"
    body = " ".join(["Human dignity is the foundation of every right."] * max(1, body_words // 8))
    text = (
        "---\n"
        f"title: {title or f'Module {number}'}\n"
        "estimated_minutes: 10\n"
        "objectives:\n  - Explain the standard.\n"
        "standards: [UDHR-1]\n"
        "---\n"
        f"## Introduction\n\n{body}\n\n"
        ":::standard UDHR-1\nAll human beings are born free and equal in dignity and rights.\n:::\n\n"
        ":::facilitator\nSECRET FACILITATOR NOTE: split the group in pairs.\n:::\n\n"
        f"## Practice\n\nThink about module {number}.\n"
    )
    if with_quiz:
        text += "\n" + QUIZ.format(prefix=prefix, attempts=attempts, shuffle=" shuffle" if shuffle else "")
    return text


def write_course(root: Path, slug: str = "test-course", *, modules: int = 3, status: str = "published",
                 quiz_modules: tuple[int, ...] | None = None, title: str = "Test course",
                 audiences: tuple[str, ...] = ("police",), language: str = "en", attempts: int = 3,
                 shuffle: bool = False) -> Path:
    """A course folder under root (with root/standards.yaml). quiz_modules: which module numbers get a quiz
    (default: only the last one)."""
    root.mkdir(parents=True, exist_ok=True)
    registry = root / "standards.yaml"
    if not registry.exists():
        registry.write_text(STANDARDS_YAML)
    folder = root / slug
    folder.mkdir(exist_ok=True)
    (folder / "course.md").write_text(
        "---\n"
        f"title: {title}\n"
        "summary: A course written for tests.\n"
        f"audiences: [{', '.join(audiences)}]\n"
        f"language: {language}\n"
        "estimated_minutes: 30\n"
        f"status: {status}\n"
        "objectives:\n  - Know the standards.\n"
        "standards: [UDHR-1]\n"
        "---\n"
        "An introduction to the test course.\n"
    )
    with_quiz = set(quiz_modules) if quiz_modules is not None else {modules}
    for number in range(1, modules + 1):
        (folder / f"{number:02d}-module-{number}.md").write_text(
            module_text(number, with_quiz=number in with_quiz, attempts=attempts, shuffle=shuffle))
    return folder
