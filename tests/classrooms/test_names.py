"""How a class's lists tell people apart (pure functions, no app)."""

from app.classrooms.names import repeated, told_apart


def test_a_repeated_display_name_gets_the_username_beside_it():
    assert told_apart([(1, "Zoé", "cm2b-01"), (2, "zoé", "cm2b-03"), (3, "Noah", "cm2b-02")]) == {
        1: "Zoé (cm2b-01)", 2: "zoé (cm2b-03)", 3: "Noah"}


def test_a_display_name_that_is_the_username_is_not_said_twice():
    # Numbered class accounts created without names are called by their usernames.
    assert told_apart([(1, "cm2b-01", "cm2b-01"), (2, "cm2b-01", "sami")]) == {1: "cm2b-01", 2: "cm2b-01 (sami)"}


def test_repeated_names_ignore_case_and_keep_their_spelling():
    assert repeated(["Zoé", "Noah", "zoé", "Ali"]) == ["Zoé", "zoé"]
