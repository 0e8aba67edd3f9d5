Signature : "HEST"    [Hardware Error Source Table]
Table Length : 00000000
Revision : 01
Checksum : 00
Oem ID : "BOCHS "
Oem Table ID : "BXPC    "
Oem Revision : 00000002
Asl Compiler ID : "BXPC"
Asl Compiler Revision : 00000001
Error Source Count : 00000002
Subtable Type : 000A [Generic Hardware Error Source V2]
Source Id : 0000
Related Source Id : FFFF
Reserved : 00
Enabled : 01
Records To Preallocate : 00000001
Max Sections Per Record : 00000001
Max Raw Data Length : 00000400
Error Status Address : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : 00000000BC410000
Notify : [Hardware Error Notification Structure]
Notify Type : 08 [SEA]
Notify Length : 1C
Configuration Write Enable : 0000
PollInterval : 00000000
Vector : 00000000
Polling Threshold Value : 00000000
Polling Threshold Window : 00000000
Error Threshold Value : 00000000
Error Threshold Window : 00000000
Error Status Block Length : 00000400
Read Ack Register : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : 00000000BC410008
Read Ack Preserve : FFFFFFFFFFFFFFFE
Read Ack Write : 0000000000000001

Subtable Type : 000A [Generic Hardware Error Source V2]
Source Id : 0001
Related Source Id : FFFF
Reserved : 00
Enabled : 01
Records To Preallocate : 00000001
Max Sections Per Record : 00000001
Max Raw Data Length : 00000400
Error Status Address : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : 00000000BC410410
Notify : [Hardware Error Notification Structure]
Notify Type : 09 [SEI]
Notify Length : 1C
Configuration Write Enable : 0000
PollInterval : 00000000
Vector : 00000000
Polling Threshold Value : 00000000
Polling Threshold Window : 00000000
Error Threshold Value : 00000000
Error Threshold Window : 00000000
Error Status Block Length : 00000400
Read Ack Register : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : 00000000BC410418
Read Ack Preserve : FFFFFFFFFFFFFFFE
Read Ack Write : 0000000000000001
