"""Documented field sets (facts §10, §11, reference choices G6–G10) the area suites check answers against.
Only what the docs name: a check never fails on an extra field."""

from __future__ import annotations

CONTACT_FIELDS = ("id", "name", "phone", "tags", "createdAt", "updatedAt")
GROUP_CREATED_FIELDS = ("id", "name", "description", "color", "contactCount")
ADD_MEMBERS_FIELDS = ("added", "alreadyInGroup", "notFound", "total")
REMOVE_MEMBERS_FIELDS = ("removed", "notInGroup")
BULK_JOB_ACCEPTED_FIELDS = ("mode", "jobId", "status", "operation", "requestedCount", "progress", "message")
BULK_JOB_FIELDS = ("id", "operation", "status", "requestedCount", "processedCount", "progress", "groupId",
                   "summary", "error", "createdAt", "updatedAt", "completedAt")
WEBHOOK_CREATED_FIELDS = ("id", "url", "secret", "events")
TEMPLATE_FIELDS = ("id", "name", "type", "body", "mediaUrl", "variables")
TEMPLATE_PREVIEW_FIELDS = ("rendered", "variables", "missingVariables", "valid")
MESSAGE_FIELDS = ("id", "userId", "instanceId", "contactId", "campaignId", "direction", "type", "from", "to", "body",
                  "mediaUrl", "status", "error", "meta", "providerMessageId", "createdAt", "updatedAt")
CAMPAIGN_STATS_FIELDS = ("planned", "queued", "sent", "delivered", "read", "failed", "cancelled",
                         "processingStartedAt", "lastEnqueuedAt", "completedAt", "cancelledAt")
INSTANCE_FIELDS = ("id", "name", "waNumber", "status", "webhook", "meta", "deletedAt", "createdAt", "updatedAt")
INSTANCE_STATE_FIELDS = ("instanceId", "status", "providerState")
INSTANCE_STATUSES = frozenset({"disconnected", "connecting", "connected"})
LOOKUP_SYNC_FIELDS = ("mode", "lookupId", "status", "requested", "normalized", "checked", "onWhatsAppCount",
                      "notOnWhatsAppCount", "invalidCount", "result")
LOOKUP_ACCEPTED_FIELDS = ("mode", "lookupId", "status", "requested", "message")
LOOKUP_PROGRESS_FIELDS = ("id", "status", "progress", "requestedCount", "normalizedCount", "checkedCount",
                          "onWhatsAppCount", "notOnWhatsAppCount", "invalidCount", "error", "createdAt", "updatedAt",
                          "completedAt")
MY_INVITATION_FIELDS = ("invitationId", "teamId", "teamName", "role", "invitedBy", "expiresAt", "createdAt")
