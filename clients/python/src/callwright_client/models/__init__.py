"""Contains all the data models used in inputs/outputs"""

from .agent_list import AgentList
from .agent_public import AgentPublic
from .agent_public_architecture import AgentPublicArchitecture
from .agent_public_overridable_item import AgentPublicOverridableItem
from .agent_public_provider import AgentPublicProvider
from .agent_public_variables import AgentPublicVariables
from .agent_spec import AgentSpec
from .agent_spec_architecture import AgentSpecArchitecture
from .agent_spec_overridable_item import AgentSpecOverridableItem
from .agent_spec_provider import AgentSpecProvider
from .agent_spec_variables import AgentSpecVariables
from .agent_stats import AgentStats
from .agent_update import AgentUpdate
from .agent_update_architecture_type_0 import AgentUpdateArchitectureType0
from .agent_update_overridable_type_0_item import AgentUpdateOverridableType0Item
from .agent_update_provider_type_0 import AgentUpdateProviderType0
from .agent_update_variables_type_0 import AgentUpdateVariablesType0
from .analysis_info import AnalysisInfo
from .analysis_info_data_type_0 import AnalysisInfoDataType0
from .analysis_info_status import AnalysisInfoStatus
from .analysis_spec import AnalysisSpec
from .analysis_spec_data_schema_type_0 import AnalysisSpecDataSchemaType0
from .attempt_public import AttemptPublic
from .chat_message import ChatMessage
from .chat_session_create import ChatSessionCreate
from .chat_session_create_metadata_type_0 import ChatSessionCreateMetadataType0
from .chat_session_create_overrides_type_0 import ChatSessionCreateOverridesType0
from .chat_session_create_variables_type_0 import ChatSessionCreateVariablesType0
from .chat_session_created import ChatSessionCreated
from .chat_session_created_variables import ChatSessionCreatedVariables
from .chat_usage import ChatUsage
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
from .latency_summary import LatencySummary
from .message_create import MessageCreate
from .message_reply import MessageReply
from .message_usage import MessageUsage
from .model_usage import ModelUsage
from .percentiles import Percentiles
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
from .tool_call import ToolCall
from .tool_call_arguments_type_0 import ToolCallArgumentsType0
from .tool_call_outcome_type_0 import ToolCallOutcomeType0
from .tool_messages import ToolMessages
from .tool_secret import ToolSecret
from .transcript_entry import TranscriptEntry
from .transcript_entry_role import TranscriptEntryRole
from .transfer_tool import TransferTool
from .turn_counts import TurnCounts
from .turn_latency import TurnLatency
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
    "AgentList",
    "AgentPublic",
    "AgentPublicArchitecture",
    "AgentPublicOverridableItem",
    "AgentPublicProvider",
    "AgentPublicVariables",
    "AgentSpec",
    "AgentSpecArchitecture",
    "AgentSpecOverridableItem",
    "AgentSpecProvider",
    "AgentSpecVariables",
    "AgentStats",
    "AgentUpdate",
    "AgentUpdateArchitectureType0",
    "AgentUpdateOverridableType0Item",
    "AgentUpdateProviderType0",
    "AgentUpdateVariablesType0",
    "AnalysisInfo",
    "AnalysisInfoDataType0",
    "AnalysisInfoStatus",
    "AnalysisSpec",
    "AnalysisSpecDataSchemaType0",
    "AttemptPublic",
    "ChatMessage",
    "ChatSessionCreate",
    "ChatSessionCreateMetadataType0",
    "ChatSessionCreateOverridesType0",
    "ChatSessionCreateVariablesType0",
    "ChatSessionCreated",
    "ChatSessionCreatedVariables",
    "ChatUsage",
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
    "LatencySummary",
    "MessageCreate",
    "MessageReply",
    "MessageUsage",
    "ModelUsage",
    "Percentiles",
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
    "ToolCall",
    "ToolCallArgumentsType0",
    "ToolCallOutcomeType0",
    "ToolMessages",
    "ToolSecret",
    "TranscriptEntry",
    "TranscriptEntryRole",
    "TransferTool",
    "TurnCounts",
    "TurnLatency",
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
