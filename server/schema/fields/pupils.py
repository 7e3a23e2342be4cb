"""Root query and mutation fields of pupils and school years."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from server.resolvers import pupils as resolve
from server.schema.pupils import (
    ConfirmPupilImportInput,
    ConfirmPupilImportPayload,
    DiscardPupilImportInput,
    DiscardPupilImportPayload,
    ImportValueAddedPayload,
    PupilImport,
    RollForwardSchoolInput,
    RollForwardSchoolPayload,
    SchoolPupils,
    SetStandardisedScoreInput,
    SetStandardisedScorePayload,
    UploadFileInput,
    UploadPupilFilePayload,
)


@strawberry.type
class PupilsQuery:
    @strawberry.field(
        description="The viewer's school: current academic year, pending pupil file, what "
        "rolling forward would do, value-added history. For the school's administrators and "
        "its Data Managers with full pupil access; else FORBIDDEN."
    )
    async def school_pupils(self, info: Info) -> SchoolPupils:
        return await resolve.school_pupils(info.context)

    @strawberry.field(description="One uploaded pupil file of the viewer's school.")
    async def pupil_import(self, info: Info, id: strawberry.ID) -> PupilImport:
        return await resolve.pupil_import(info.context, id)


@strawberry.type
class PupilsMutation:
    @strawberry.mutation(
        description="Check a pupil file (CSV or .xlsx); nothing changes until it is confirmed."
    )
    async def upload_pupil_file(self, info: Info, input: UploadFileInput) -> UploadPupilFilePayload:
        return await resolve.upload_pupil_file(info.context, input)

    @strawberry.mutation(
        description="Check a Common Transfer File (the CTF .xml an MIS exports) sent as a "
        "file part by the GraphQL multipart request convention (multipart/form-data with "
        "operations, map and the file; at most 5 MB); nothing changes until it is confirmed "
        "with confirmPupilImport."
    )
    async def upload_common_transfer_file(
        self, info: Info, file: Upload
    ) -> UploadPupilFilePayload:
        return await resolve.upload_common_transfer_file(info.context, file)

    @strawberry.mutation(
        description="Apply a checked file's rows without errors, once; pupils are matched by UPN."
    )
    async def confirm_pupil_import(
        self, info: Info, input: ConfirmPupilImportInput
    ) -> ConfirmPupilImportPayload:
        return await resolve.confirm_pupil_import(info.context, input)

    @strawberry.mutation(
        description="Set or remove a pupil's standardised score, the fallback baseline used "
        "only without prior attainment (the school's administrators and Data Managers with "
        "full pupil access); audited; the year group's pre-population then runs.")
    async def set_standardised_score(
        self, info: Info, input: SetStandardisedScoreInput
    ) -> SetStandardisedScorePayload:
        return await resolve.set_standardised_score(info.context, input)

    @strawberry.mutation(description="Cancel a checked file; nothing is imported from it.")
    async def discard_pupil_import(
        self, info: Info, input: DiscardPupilImportInput
    ) -> DiscardPupilImportPayload:
        return await resolve.discard_pupil_import(info.context, input)

    @strawberry.mutation(
        description="Move the school to the next academic year (administrators only)."
    )
    async def roll_forward_school(
        self, info: Info, input: RollForwardSchoolInput
    ) -> RollForwardSchoolPayload:
        return await resolve.roll_forward_school(info.context, input)

    @strawberry.mutation(
        description="Import value-added history (CSV or .xlsx), all or nothing (administrators)."
    )
    async def import_value_added(self, info: Info, input: UploadFileInput) -> ImportValueAddedPayload:
        return await resolve.import_value_added(info.context, input)
