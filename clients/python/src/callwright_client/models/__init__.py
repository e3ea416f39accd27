"""Contains all the data models used in inputs/outputs"""

from .agent_created import AgentCreated
from .agent_list import AgentList
from .agent_public import AgentPublic
from .agent_public_architecture import AgentPublicArchitecture
from .agent_public_overridable_item import AgentPublicOverridableItem
from .agent_public_variables import AgentPublicVariables
from .agent_spec import AgentSpec
from .agent_spec_architecture import AgentSpecArchitecture
from .agent_spec_overridable_item import AgentSpecOverridableItem
from .agent_spec_variables import AgentSpecVariables
from .agent_stats import AgentStats
from .agent_update import AgentUpdate
from .agent_update_architecture_type_0 import AgentUpdateArchitectureType0
from .agent_update_overridable_type_0_item import AgentUpdateOverridableType0Item
from .agent_update_variables_type_0 import AgentUpdateVariablesType0
from .analysis_info import AnalysisInfo
from .analysis_info_data_type_0 import AnalysisInfoDataType0
from .analysis_info_status import AnalysisInfoStatus
from .analysis_spec import AnalysisSpec
from .analysis_spec_data_schema_type_0 import AnalysisSpecDataSchemaType0
from .api_key_create import ApiKeyCreate
from .api_key_create_scope import ApiKeyCreateScope
from .api_key_created import ApiKeyCreated
from .api_key_created_scope import ApiKeyCreatedScope
from .api_key_list import ApiKeyList
from .api_key_public import ApiKeyPublic
from .api_key_public_scope import ApiKeyPublicScope
from .attempt_public import AttemptPublic
from .audit_entry_public import AuditEntryPublic
from .audit_entry_public_details import AuditEntryPublicDetails
from .audit_list import AuditList
from .chat_message import ChatMessage
from .chat_session_create import ChatSessionCreate
from .chat_session_create_metadata_type_0 import ChatSessionCreateMetadataType0
from .chat_session_create_overrides_type_0 import ChatSessionCreateOverridesType0
from .chat_session_create_variables_type_0 import ChatSessionCreateVariablesType0
from .chat_session_created import ChatSessionCreated
from .chat_session_created_variables import ChatSessionCreatedVariables
from .chat_usage import ChatUsage
from .concurrency import Concurrency
from .concurrency_set import ConcurrencySet
from .connection_test_public import ConnectionTestPublic
from .credit_grant import CreditGrant
from .credit_grant_create import CreditGrantCreate
from .credits_public import CreditsPublic
from .deleted_agent import DeletedAgent
from .deleted_webhook_endpoint import DeletedWebhookEndpoint
from .delivery_list import DeliveryList
from .delivery_public import DeliveryPublic
from .delivery_status import DeliveryStatus
from .end_call_tool import EndCallTool
from .end_reason import EndReason
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .fallback import Fallback
from .get_usage_group_by import GetUsageGroupBy
from .healthz_response_healthz_healthz_get import HealthzResponseHealthzHealthzGet
from .http_tool import HttpTool
from .http_tool_headers import HttpToolHeaders
from .http_tool_input import HttpToolInput
from .http_tool_input_headers import HttpToolInputHeaders
from .http_tool_input_method import HttpToolInputMethod
from .http_tool_input_parameters import HttpToolInputParameters
from .http_tool_input_secret_headers import HttpToolInputSecretHeaders
from .http_tool_method import HttpToolMethod
from .http_tool_parameters import HttpToolParameters
from .interruption import Interruption
from .latency_summary import LatencySummary
from .ledger_entry_public import LedgerEntryPublic
from .ledger_entry_public_kind import LedgerEntryPublicKind
from .ledger_list import LedgerList
from .llm_choice import LlmChoice
from .message_create import MessageCreate
from .message_reply import MessageReply
from .message_usage import MessageUsage
from .model_usage import ModelUsage
from .operator_tool_secret import OperatorToolSecret
from .organization_create import OrganizationCreate
from .organization_list import OrganizationList
from .organization_public import OrganizationPublic
from .percentiles import Percentiles
from .prices import Prices
from .prices_set import PricesSet
from .realtime_choice import RealtimeChoice
from .recording_deleted import RecordingDeleted
from .recording_deleted_status import RecordingDeletedStatus
from .recording_info import RecordingInfo
from .recording_info_status import RecordingInfoStatus
from .recording_link import RecordingLink
from .recording_link_status import RecordingLinkStatus
from .recording_spec import RecordingSpec
from .session_kind import SessionKind
from .session_list import SessionList
from .session_public import SessionPublic
from .session_public_config_type_0 import SessionPublicConfigType0
from .session_public_metadata_type_0 import SessionPublicMetadataType0
from .session_status import SessionStatus
from .session_timeline import SessionTimeline
from .stt_choice import SttChoice
from .suspension_result import SuspensionResult
from .tool_call import ToolCall
from .tool_call_arguments_type_0 import ToolCallArgumentsType0
from .tool_call_outcome_type_0 import ToolCallOutcomeType0
from .tool_messages import ToolMessages
from .tool_secret import ToolSecret
from .transcript_entry import TranscriptEntry
from .transcript_entry_role import TranscriptEntryRole
from .transfer_tool import TransferTool
from .tts_choice import TtsChoice
from .turn_counts import TurnCounts
from .turn_latency import TurnLatency
from .turn_taking import TurnTaking
from .turn_taking_detector import TurnTakingDetector
from .turn_taking_mode import TurnTakingMode
from .usage_group import UsageGroup
from .usage_report import UsageReport
from .usage_report_group_by import UsageReportGroupBy
from .user_create import UserCreate
from .user_created import UserCreated
from .variable_spec import VariableSpec
from .variable_spec_type import VariableSpecType
from .voice_session_create import VoiceSessionCreate
from .voice_session_create_metadata_type_0 import VoiceSessionCreateMetadataType0
from .voice_session_create_overrides_type_0 import VoiceSessionCreateOverridesType0
from .voice_session_create_variables_type_0 import VoiceSessionCreateVariablesType0
from .voice_session_created import VoiceSessionCreated
from .voice_session_created_variables import VoiceSessionCreatedVariables
from .voice_usage import VoiceUsage
from .webhook_ack import WebhookAck
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_create_events_item import WebhookEndpointCreateEventsItem
from .webhook_endpoint_list import WebhookEndpointList
from .webhook_endpoint_public import WebhookEndpointPublic
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_endpoint_update_events_type_0_item import WebhookEndpointUpdateEventsType0Item
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret

__all__ = (
    "AgentCreated",
    "AgentList",
    "AgentPublic",
    "AgentPublicArchitecture",
    "AgentPublicOverridableItem",
    "AgentPublicVariables",
    "AgentSpec",
    "AgentSpecArchitecture",
    "AgentSpecOverridableItem",
    "AgentSpecVariables",
    "AgentStats",
    "AgentUpdate",
    "AgentUpdateArchitectureType0",
    "AgentUpdateOverridableType0Item",
    "AgentUpdateVariablesType0",
    "AnalysisInfo",
    "AnalysisInfoDataType0",
    "AnalysisInfoStatus",
    "AnalysisSpec",
    "AnalysisSpecDataSchemaType0",
    "ApiKeyCreate",
    "ApiKeyCreateScope",
    "ApiKeyCreated",
    "ApiKeyCreatedScope",
    "ApiKeyList",
    "ApiKeyPublic",
    "ApiKeyPublicScope",
    "AttemptPublic",
    "AuditEntryPublic",
    "AuditEntryPublicDetails",
    "AuditList",
    "ChatMessage",
    "ChatSessionCreate",
    "ChatSessionCreateMetadataType0",
    "ChatSessionCreateOverridesType0",
    "ChatSessionCreateVariablesType0",
    "ChatSessionCreated",
    "ChatSessionCreatedVariables",
    "ChatUsage",
    "Concurrency",
    "ConcurrencySet",
    "ConnectionTestPublic",
    "CreditGrant",
    "CreditGrantCreate",
    "CreditsPublic",
    "DeletedAgent",
    "DeletedWebhookEndpoint",
    "DeliveryList",
    "DeliveryPublic",
    "DeliveryStatus",
    "EndCallTool",
    "EndReason",
    "ErrorBody",
    "ErrorDetail",
    "Fallback",
    "GetUsageGroupBy",
    "HealthzResponseHealthzHealthzGet",
    "HttpTool",
    "HttpToolHeaders",
    "HttpToolInput",
    "HttpToolInputHeaders",
    "HttpToolInputMethod",
    "HttpToolInputParameters",
    "HttpToolInputSecretHeaders",
    "HttpToolMethod",
    "HttpToolParameters",
    "Interruption",
    "LatencySummary",
    "LedgerEntryPublic",
    "LedgerEntryPublicKind",
    "LedgerList",
    "LlmChoice",
    "MessageCreate",
    "MessageReply",
    "MessageUsage",
    "ModelUsage",
    "OperatorToolSecret",
    "OrganizationCreate",
    "OrganizationList",
    "OrganizationPublic",
    "Percentiles",
    "Prices",
    "PricesSet",
    "RealtimeChoice",
    "RecordingDeleted",
    "RecordingDeletedStatus",
    "RecordingInfo",
    "RecordingInfoStatus",
    "RecordingLink",
    "RecordingLinkStatus",
    "RecordingSpec",
    "SessionKind",
    "SessionList",
    "SessionPublic",
    "SessionPublicConfigType0",
    "SessionPublicMetadataType0",
    "SessionStatus",
    "SessionTimeline",
    "SttChoice",
    "SuspensionResult",
    "ToolCall",
    "ToolCallArgumentsType0",
    "ToolCallOutcomeType0",
    "ToolMessages",
    "ToolSecret",
    "TranscriptEntry",
    "TranscriptEntryRole",
    "TransferTool",
    "TtsChoice",
    "TurnCounts",
    "TurnLatency",
    "TurnTaking",
    "TurnTakingDetector",
    "TurnTakingMode",
    "UsageGroup",
    "UsageReport",
    "UsageReportGroupBy",
    "UserCreate",
    "UserCreated",
    "VariableSpec",
    "VariableSpecType",
    "VoiceSessionCreate",
    "VoiceSessionCreateMetadataType0",
    "VoiceSessionCreateOverridesType0",
    "VoiceSessionCreateVariablesType0",
    "VoiceSessionCreated",
    "VoiceSessionCreatedVariables",
    "VoiceUsage",
    "WebhookAck",
    "WebhookEndpointCreate",
    "WebhookEndpointCreateEventsItem",
    "WebhookEndpointList",
    "WebhookEndpointPublic",
    "WebhookEndpointUpdate",
    "WebhookEndpointUpdateEventsType0Item",
    "WebhookEndpointWithSecret",
)
