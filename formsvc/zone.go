package formsvc

import "time"

// Vietnam is the country's time (UTC+7, no daylight saving): the one zone
// every date a person reads is shown in, and every day and period starts in.
var Vietnam = time.FixedZone("ICT", 7*60*60)
