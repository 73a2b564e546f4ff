"""Reads of course content."""

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import QueryableAttribute, Session, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.catalog.models import Course, CourseAsset, Module


def course_by_slug(session: Session, slug: str, *, with_modules: bool = False) -> Course | None:
    query = select(Course).where(Course.slug == slug)
    if with_modules:
        query = query.options(selectinload(Course.modules))
    return session.scalar(query)


def with_modules_loaded(session: Session, course: Course, *columns: QueryableAttribute) -> Course:
    """`course.modules` with only these columns loaded, unless it is loaded already. One plain statement: cheaper
    than selectinload's machinery on the hottest pages, and unlike a lazy load it leaves each module's content out."""
    if "modules" not in inspect(course).dict:
        set_committed_value(course, "modules", session.scalars(
            select(Module).where(Module.course_id == course.id).order_by(Module.position).options(load_only(*columns))
        ).all())
    return course


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
