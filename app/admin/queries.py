from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.text_search import contains_text


def users_matching(search: str = "", role: str = "") -> Select:
    query = select(User).where(User.erased.is_(False)).order_by(User.username)
    search = search.strip()
    if search:
        query = query.where(or_(contains_text(User.username, search), contains_text(User.display_name, search)))
    if role:
        query = query.where(User.role == role)
    return query
