import { installTemporalRuntime } from '../temporal/runtime.js';

installTemporalRuntime('WARN');
