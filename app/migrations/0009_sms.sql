-- The SMS channel (Twilio). Its raw webhooks are kept in inbound_mail
-- beside raw mail (transport 'http', the form body), so an admin finds
-- every refused arrival of a channel in one place.

-- Ingest stores a redelivered webhook once by looking up the provider's
-- message id (Twilio's MessageSid) on the channel; without this index
-- every incoming text scanned every message.
CREATE INDEX messages_provider_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;

-- One open conversation per contact per SMS channel: a new text looks up
-- the contact's conversations on its channel.
CREATE INDEX conversations_contact_channel ON conversations (contact_id, channel_id, id);
