-- ARGV: campaigns (see campaignKeys.lua), id, recipient.
adopt(ARGV[2])
if redis.call('HEXISTS', ck(ARGV[2], ':sending'), ARGV[3]) == 0 then return 0 end
redis.call('HSET', ck(ARGV[2], ':sending'), ARGV[3], 'handed')
return 1
