/**
 * Valid answers and webhook bodies of each vendor, as their documents show them (seeds 000-004):
 * the starting points that the property suites mutate.
 */

export const HUAWEI = {
  tokenByAkSk: [{ AccessToken: 'at-0123456789', ApplyType: 'Bearer', CreateTime: '1700000000000', Expires: '600', Scope: 'all', AppKey: 'ak', UserID: 'u' }],
  applyToken: [{ token: 'cc-0123456789', resultCode: '0', resultDesc: 'success' }],
  checkClickToCallSupport: [{ resultCode: '0', resultDesc: 'success', webRTCSupported: true, clickToCallSupported: true }, { resultCode: 0, webRTCSupported: 'true', clickToCallSupported: 'false' }],
  createClickToCall: [{ resultCode: '0', 'resultDesc:': 'success' }, { resultCode: '12', resultDesc: 'not in agent working hours' }, { resultCode: 13 }],
  getClickToCallEvents: [
    { resultCode: '0', resultDesc: 'Call in queue', eventId: '168100', content: {} },
    {
      resultCode: '0',
      resultDesc: 'Call connected',
      eventId: 168101,
      content: { domain: 'webrtc.example.com', gwAddresses: ['wss://10.1.1.1:8443/ws', '10.1.1.2:8443'], accessCode: '179080000537636', clickToCallCaller: 'AnonymousCard' },
    },
    { resultCode: '0', resultDesc: 'Call disconnected', eventId: '168102', content: {} },
    { resultCode: '0', resultDesc: 'Call queued timeout', eventId: '168103', content: { causeId: '1', causeDesc: 'Queuing timed out.' } },
    { resultCode: '0', resultDesc: 'Call failed', content: { causeId: 7, causeDesc: 'failed' } },
    { resultCode: '0', resultDesc: 'ClickToCall polled without any events' },
    { resultCode: '1', resultDesc: 'invalid token' },
  ],
  dropClickToCall: [{ resultCode: '0', resultDesc: 'success' }, { resultCode: '13', resultDesc: 'disconnect failed' }],
  gatewayError: [{ errorCode: 'APIGW.0301', exceptionInfo: 'Incorrect IAM authentication information' }],
} as const;

export const SARV = {
  start: [
    { callid: 'kn5skxr6161770885161627785', status: 'success', code: '200' },
    { callId: 'kn5skxr6161770885161627785', status: 'success', code: 200 },
    { message: 'invalid mobile number in from parameter', status: 'error', code: '1508' },
    { message: 'Connection Issue', status: 'error', code: 1501 },
  ],
  report: [
    {
      callId: 'sarv-call-1',
      callStatus: 1,
      cType: 'CTC',
      DID: null,
      campId: -1,
      ivrSTime: '2025-03-01 10:00:00',
      ivrETime: '2025-03-01 10:01:10',
      ivrDuration: 70,
      userId: '42',
      cNumber: '919123456780',
      masterNumCTC: '919876543210',
      masterAgent: 0,
      masterAgentNumber: null,
      masterGroupId: 0,
      firstAttended: 'Customer',
      firstAnswerTime: '2025-03-01 10:00:08',
      lastHangupTime: '2025-03-01 10:01:10',
    },
    { callId: 'sarv-call-1', callStatus: '2', cType: 'CTC', cNumber: null, masterNumCTC: null, firstAttended: null, firstAnswerTime: null },
    [{ callid: 'sarv-call-1', cType: 'CTC', talkDuration: '12' }],
    {},
  ],
} as const;

export const UDESK = {
  originate: [
    { code: '000000', message: 'success', results: 'c7a8b7ac-4d5e-11ee-be56-0242ac120002' },
    { ErrCode: '000000', ErrDesc: 'OK', results: 12345 },
    { ErrCode: '100002', ErrDesc: 'App does not exist' },
    { code: '000001', message: 'agent offline' },
  ],
  callback: [
    { evt: 'user_ringing', call_id: 'udesk-call-1', Timestamp: 1760000000123 },
    { evt: 'hangup_cause', call_id: 'udesk-call-1', hangup_cause: 'NO_ANSWER' },
    { Method: 'userAnswered', CallId: 'udesk-call-1', MsgId: 'm-1' },
    { events: [{ event: 'agent_ringing', callId: 'udesk-call-1' }, { event: 'end', callId: 'udesk-call-1', UserAnswerTime: 0 }] },
    { data: { evt: 'user_hangup', call_id: 'udesk-call-1', HangupReason: 'NORMAL_CLEARING' } },
  ],
} as const;

export const CCAI = {
  call: [
    {
      id: 515,
      parent_id: 0,
      lang: 'en',
      call_type: 'Voice Inbound (API)',
      status: 'queued',
      created_at: '2025-01-01T10:00:00.000Z',
      queued_at: '2025-01-01T10:00:01.000Z',
      assigned_at: null,
      connected_at: null,
      ends_at: null,
      scheduled_at: null,
      fail_reason: 'nothing',
      fail_details: null,
      deflection: 'no_deflection',
      voicemail_reason: 'not_voicemail',
      menu_path: { id: 9, name: 'Sales' },
    },
    { id: '516', status: 'scheduled', scheduled_at: '2030-01-01T10:00:00Z' },
    { id: 517, status: 'failed', fail_reason: 'queue_timeout', fail_details: 'Nobody took it.' },
    { id: 518, status: 'Deflected', deflection: 'after_hours' },
    { id: 519, status: 'finished', ends_at: '2025-01-01T10:10:00Z' },
  ],
  error: [{ message: 'end_user_number is not well-formed' }, { message: 'agent is not available' }, { message: 'menu_id 999 is not found' }],
  push: [
    {
      count: 2,
      events: [
        { event_id: 'e-1', timestamp: 1760000000001, type: 'session', item: { call_id: 515, state: 'connected', participants: [{ type: 'end_user', status: 'connected' }] } },
        { event_id: 'e-2', timestamp: 1760000000002, item: { call_id: 515, state: 'disconnected', participants: [{ type: 'agent', status: 'connected' }], connected_at: '2025-01-01T10:00:00Z' } },
      ],
    },
    { count: 1, events: [{ call_id: '515', status: 'failed', fail_reason: 'after_hours' }] },
  ],
} as const;

export const CTI = {
  message: [
    {
      subtopic: 'InboundCallStateChange',
      channel: 'Amazon',
      topic: 'InboundCall',
      message: {
        source: 'cti-adapter',
        call: {
          id: 'cti-call-1',
          event: 'connected',
          CallType: 'inbound',
          ResponseFields: { CallState: 'connected', CurrentStateTime: '2025-10-09T08:00:05Z', DN: 'Sales' },
        },
      },
    },
    { subtopic: 'InboundCallStateChange', topic: 'InboundCall', message: { call: { id: 77, event: 'Dropped', ResponseFields: null } } },
    { subtopic: 'InboundCallStateChange', topic: 'InboundCall', message: { call: { id: 'cti-call-1', event: 'missed', ResponseFields: { CurrentStateTime: '1760000000000' } } } },
  ],
} as const;
