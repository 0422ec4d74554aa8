"""Domain errors of points, draws and prizes (rules §9); the shared base and the rest are in errors.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class NoSuchPool(DomainError):
    message = _l("This campaign has no such prize pool.")
    status = 404


class ChanceNotFound(DomainError):
    message = _l("This draw chance is not one of yours in this pool.")
    status = 404


class NoChance(DomainError):
    message = _l("You have no draw chance left in this pool.")
    status = 409


class ChanceUsed(DomainError):
    message = _l("This chance has been drawn already: each chance draws once.")
    status = 409


class ChanceExpired(DomainError):
    message = _l("This chance has expired: a chance can only be drawn before its deadline.")
    status = 409


class PoolClosed(DomainError):
    message = _l("The deadline of this prize pool has passed: points can no longer be redeemed for draws.")
    status = 409


class NotEnoughPoints(DomainError):
    message = _l("Not enough points for a draw chance yet.")
    status = 409


class PoolHasNoWeights(DomainError):
    message = _l("This prize pool has nothing to draw yet. Ask the union's admin.")
    status = 409


class PrizeNotShipped(DomainError):
    message = _l("This draw did not win a prize that is shipped.")
    status = 404


class AddressAlreadyGiven(DomainError):
    message = _l("The address for this prize was submitted already and can no longer be changed.")
    status = 409


class InvalidAddress(DomainError):
    field = "address"
    message = _l(
        "Write the full mainland address: province, city, district, street and number (8 to 200 characters)."
    )


class InvalidRecipient(DomainError):
    field = "recipient"
    message = _l("Write the recipient's name in 2 to 20 characters.")


class InvalidCodes(DomainError):
    field = "codes"
    message = _l("Paste one code per line: 4 to 64 letters, digits or dashes.")


class TooManyCodes(DomainError):
    field = "codes"
    status = 409


class NotAVoucherTier(DomainError):
    message = _l("Codes can only be uploaded for a voucher prize.")
    status = 404


class FinalRankingNotReady(DomainError):
    message = _l("The final ranking is not settled yet: settle the campaign's last day after it closes.")
    status = 409


class ChancesAlreadyGranted(DomainError):
    message = _l("The final-ranking draw chances were given already.")
    status = 409


class StockBelowWon(DomainError):
    field = "stock"
    status = 409


class PoolWithoutWeight(DomainError):
    message = _l("At least one outcome of the pool needs a weight above 0, or nothing could be drawn.")
    status = 409


class InvalidChoice(DomainError):
    field = "choice"
    message = _l("Choose one of the answers.")


class NotInQuizSet(DomainError):
    field = "choice"
    message = _l("This question is not in your set for today.")


class AlreadyAnswered(DomainError):
    field = "choice"
    message = _l("You have already answered this question.")
    status = 409
