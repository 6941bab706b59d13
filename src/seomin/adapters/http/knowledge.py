"""Knowledge base API: staff write and read Q&A entries; anyone searches the public ones (FAQ), staff
search all of them with their token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, StrictBool, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import errors, staff_with
from seomin.adapters.http.public import SafeJSONResponse, _Body, plain
from seomin.services.identity import STAFF_ROLES
from seomin.services.knowledge_base import (
    MAX_RESULTS,
    WRITER_ROLES,
    Entry,
    EntryVersion,
    SearchHit,
    add_entry,
    get_entry,
    revise_entry,
    search,
)
from seomin.services.platform import Actor

router = APIRouter(tags=["knowledge base"])
Id = Annotated[int, Path(ge=1, le=2**62)]
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Writer = Annotated[Actor, Depends(staff_with(*sorted(WRITER_ROLES)))]
Limit = Annotated[int, Query(ge=1, le=MAX_RESULTS)]
SearchText = Annotated[str, Query(min_length=1, max_length=300, description="A question in Korean")]


class EntryBody(_Body):
    topic: StrictStr = Field(max_length=32)
    question: StrictStr = Field(min_length=1, max_length=300)
    answer: StrictStr = Field(min_length=1, max_length=4000)
    public: StrictBool = Field(default=False, description="Shown to applicants in the FAQ search")


class RevisionBody(_Body):
    question: StrictStr = Field(min_length=1, max_length=300)
    answer: StrictStr = Field(min_length=1, max_length=4000)
    public: StrictBool = False


class EntryDetailOut(BaseModel):
    entry: Entry
    versions: list[EntryVersion]


@router.post(
    "/staff/knowledge",
    response_model=Entry,
    status_code=201,
    responses=errors(401, 403, 422),
    summary="지식베이스 등록: a new Q&A entry owned by the writer",
)
def create(request: Request, actor: Writer, body: EntryBody) -> SafeJSONResponse:
    entry = add_entry(platform_of(request), actor, body.topic, body.question, body.answer, body.public)
    return SafeJSONResponse(plain(entry), status_code=201)


@router.put(
    "/staff/knowledge/{entry_id}",
    response_model=Entry,
    responses=errors(401, 403, 404, 422),
    summary="지식베이스 개정: a new version by the owner or a supervisor",
)
def revise(request: Request, actor: Writer, entry_id: Id, body: RevisionBody) -> SafeJSONResponse:
    entry = revise_entry(platform_of(request), actor, entry_id, body.question, body.answer, body.public)
    return SafeJSONResponse(plain(entry))


@router.get(
    "/staff/knowledge/{entry_id}",
    response_model=EntryDetailOut,
    responses=errors(401, 403, 404, 422),
    summary="지식베이스 항목: the entry with all its versions",
)
def detail(request: Request, actor: AnyStaff, entry_id: Id) -> SafeJSONResponse:
    entry, versions = get_entry(platform_of(request), actor, entry_id)
    return SafeJSONResponse({"entry": plain(entry), "versions": [plain(v) for v in versions]})


@router.get(
    "/staff/knowledge",
    response_model=list[SearchHit],
    responses=errors(401, 403, 422),
    summary="유사 질문 검색 (상담원): every entry, best match first",
)
def staff_search(request: Request, actor: AnyStaff, q: SearchText, limit: Limit = 3) -> SafeJSONResponse:
    hits = search(platform_of(request), q, limit, staff=True)
    return SafeJSONResponse([plain(h) for h in hits])


@router.get(
    "/faq",
    response_model=list[SearchHit],
    responses=errors(422),
    summary="자주 묻는 질문 검색: public entries, best match first",
)
def faq_search(request: Request, q: SearchText, limit: Limit = 3) -> SafeJSONResponse:
    hits = search(platform_of(request), q, limit, staff=False)
    return SafeJSONResponse([plain(h) for h in hits])
