from sqlalchemy import Select, or_, select

from app.auth.models import User


def users_matching(search: str = "", role: str = "") -> Select:
    query = select(User).where(User.erased.is_(False)).order_by(User.username)
    if search:
        pattern = f"%{search.strip().casefold()}%"
        query = query.where(or_(User.username.like(pattern), User.display_name.ilike(pattern)))
    if role:
        query = query.where(User.role == role)
    return query
