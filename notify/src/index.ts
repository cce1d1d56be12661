export * from './notifier.ts';
export * from './dispatcher.ts';
export * from './message.ts';
export * from './config.ts';
export { SendError, postJson } from './http.ts';
export { wecomPayload, wecomSender } from './wecom.ts';
export { dingtalkPayload, dingtalkSender, dingtalkSign, signedUrl } from './dingtalk.ts';
export { emailSender, type SmtpSettings } from './email.ts';
export { webhookPayload, webhookSender } from './webhook.ts';
