"""Reads of course content."""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Course, CourseAsset, Module


def course_by_slug(session: Session, slug: str, *, with_modules: bool = False) -> Course | None:
    query = select(Course).where(Course.slug == slug)
    if with_modules:
        query = query.options(selectinload(Course.modules))
    return session.scalar(query)


def module_by_slugs(session: Session, course_slug: str, module_slug: str) -> Module | None:
    return session.scalar(
        select(Module).join(Course).where(Course.slug == course_slug, Module.slug == module_slug)
    )


def asset_by_path(session: Session, course_id: int, path: str) -> CourseAsset | None:
    return session.scalar(select(CourseAsset).where(CourseAsset.course_id == course_id, CourseAsset.path == path))


def asset_paths(session: Session, course_id: int) -> set[str]:
    return set(session.scalars(select(CourseAsset.path).where(CourseAsset.course_id == course_id)))


def all_courses() -> Select:
    return select(Course).options(selectinload(Course.modules)).order_by(Course.title)
